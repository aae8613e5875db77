using System.CommandLine;
using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks;

namespace Concord.Cli;

/// <summary>Turns failures into one clear line and a non-zero exit code; <c>--verbose</c> adds the stack trace.</summary>
public static class CliRunner
{
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces of errors", Recursive = true };

    public const int UsageError = 2;
    public const int InputError = 3;
    public const int RuntimeError = 1;

    public static void SetGuardedAction(this Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            try { return await action(parse, ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("interrupted; finished work is kept");
                return 130;
            }
            catch (Exception e) when (Classify(e) is int code)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                if (parse.GetValue(Verbose)) Console.Error.WriteLine(e);
                return code;
            }
        });

    public static void SetGuardedAction(this Command command, Func<ParseResult, int> action) =>
        command.SetGuardedAction((parse, _) => Task.FromResult(action(parse)));

    private static int? Classify(Exception e) => e switch
    {
        ModelFileException or DatasetException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException => InputError,
        DownloadException or IOException or UnauthorizedAccessException => RuntimeError,
        ArgumentException or FormatException or InvalidOperationException => UsageError,
        _ => null, // a bug: let the stack trace through
    };
}
