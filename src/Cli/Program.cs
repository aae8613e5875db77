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
return await CliProgram.InvokeAsync(args, interrupt.Token);
