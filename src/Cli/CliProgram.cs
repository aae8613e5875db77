using System.CommandLine;

namespace Concord.Cli;

/// <summary>
/// One `concord` command from its arguments to its exit code: parse, refuse bad usage in one line,
/// run the command's guarded action. Program.cs adds what belongs to a process (the culture, the
/// stdout wrapper, the BLAS mode, Ctrl-C and SIGTERM); tests call this in-process to try thousands
/// of generated command lines without starting a process for each.
/// </summary>
public static class CliProgram
{
    public static async Task<int> InvokeAsync(string[] args, CancellationToken ct)
    {
        var parse = CommandTree.Create().Parse(args, CommandTree.Parsing);
        if (CliRunner.UsageProblem(parse) is { } problem)
        {
            Console.Error.WriteLine(CliRunner.OneLine($"error: {problem}"));
            return CliRunner.UsageError;
        }
        try
        {
            // Without System.CommandLine's own handler, which printed a stack trace: every command's action is
            // guarded (one line, its exit code); only --version and --help write outside a guard, and what they
            // can meet is a stdout that cannot be written.
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (StandardOutputException e)
        {
            Console.Error.WriteLine(CliRunner.OneLine($"error: {e.Message}"));
            return CliRunner.RuntimeError;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine(CliRunner.OneLine($"error: internal error: {CliRunner.Describe(e)} (a bug in Concord)"));
            return CliRunner.RuntimeError;
        }
    }
}
