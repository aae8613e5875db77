using System.CommandLine;
using System.Runtime.InteropServices;
using Concord.Cli;
using Concord.Model;

// Reports, tables and console lines are read on every machine and diffed between them: numbers are
// written the same way whatever the user's locale (report.md never mixes "0,999" and "0.999").
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;

// A failed write to stdout (>/dev/full, a closed pipe) is named as stdout's, in one line on stderr.
Console.SetOut(TextWriter.Synchronized(new StandardOutputWriter(Console.Out)));

// The same command gives the same bytes: the CPU BLAS's reproducible mode is on before any tensor exists.
NumericalReproducibility.Ensure();

var root = CommandTree.Create();
var parse = root.Parse(args, CommandTree.Parsing);
if (CliRunner.UsageProblem(parse) is { } problem)
{
    Console.Error.WriteLine($"error: {problem}");
    return CliRunner.UsageError;
}

// Ctrl-C (or SIGTERM) cancels the command's token: long work checks it between chunks, so it stops
// within seconds, keeps what is finished (written atomically) and exits 130. A second Ctrl-C only
// says that it is stopping; the process never exits under running native code.
using var interrupt = new CancellationTokenSource();
void Interrupt()
{
    if (interrupt.IsCancellationRequested) { Console.Error.WriteLine("already stopping; finished work is kept"); return; }
    Console.Error.WriteLine("stopping after the current step…");
    interrupt.Cancel();
}
Console.CancelKeyPress += (_, e) => { e.Cancel = true; Interrupt(); };
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; Interrupt(); });
try
{
    // Without System.CommandLine's own handler, which printed a stack trace: every command's action is
    // guarded (one line, its exit code); only --version and --help write outside a guard, and what they
    // can meet is a stdout that cannot be written.
    return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, interrupt.Token);
}
catch (StandardOutputException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return CliRunner.RuntimeError;
}
catch (Exception e) when (e is not OperationCanceledException)
{
    Console.Error.WriteLine($"error: internal error: {CliRunner.Describe(e)} (a bug in Concord)");
    return CliRunner.RuntimeError;
}
