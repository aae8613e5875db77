using Concord.Studies.Outputs;
using Concord.Studies.Storage;
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
    /// <summary>A merge of shards with units still missing (nothing written).</summary>
    public const int IncompleteError = 4;

    public static void SetGuardedAction(this Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            try { return await action(parse, ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("interrupted; finished work is kept");
                return 130;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                int code = Classify(e);
                Console.Error.WriteLine(OneLine(code == RuntimeError && IsUnexpected(e)
                    ? $"error: internal error: {Describe(e)} (a bug in Concord; --verbose shows where it happened)"
                    : $"error: {Describe(e)}"));
                if (parse.GetValue(Verbose)) Console.Error.WriteLine(e);
                return code;
            }
        });

    /// <summary>A synchronous action that honours Ctrl-C through its token (model loading and hashing check it).</summary>
    public static void SetGuardedAction(this Command command, Func<ParseResult, CancellationToken, int> action) =>
        command.SetGuardedAction((parse, ct) => Task.FromResult(action(parse, ct)));

    public static void SetGuardedAction(this Command command, Func<ParseResult, int> action) =>
        command.SetGuardedAction((parse, _) => Task.FromResult(action(parse)));

    /// <summary>
    /// An error as the one line the README promises: a value the user gave may hold a line break or
    /// another control character (`--task $'a\nb'`), which is shown escaped (\n) rather than breaking the line.
    /// </summary>
    public static string OneLine(string text) =>
        string.Concat(text.TrimEnd().Select(c => c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            _ when char.IsControl(c) && c != '\t' || c is '\u2028' or '\u2029' or '\u0085' => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        }));

    /// <summary>
    /// The first parse error in the user's terms ("--steps expects a whole number, got 'x'"), or null
    /// when the command line parses. Bad usage exits <see cref="UsageError"/>, as the README says.
    /// </summary>
    public static string? UsageProblem(ParseResult parse)
    {
        if (parse.Errors.Count == 0) return null;
        // "concord --bogus": the unknown option says more than the missing command that follows from it.
        var errors = parse.Errors.OrderBy(e => e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal)).ToList();
        var first = Translate(errors[0].Message);
        var help = $"see concord {string.Join(' ', CommandPath(parse.CommandResult.Command))} --help".Replace("  ", " ").Trim();
        return parse.Errors.Count == 1 ? $"{first} ({help})" : $"{first} (and {parse.Errors.Count - 1} more; {help})";
    }

    private static IEnumerable<string> CommandPath(Command command) =>
        command.Parents.OfType<Command>().SelectMany(CommandPath).Append(command is RootCommand ? "" : command.Name);

    private static string Translate(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.$");
        if (!match.Success) return message.TrimEnd('.');
        // An optional number (int?) is named System.Nullable`1[System.Int32]: the same value expected.
        string type = System.Text.RegularExpressions.Regex.Replace(match.Groups[3].Value, @"^System\.Nullable`1\[+([^\],]+).*$", "$1");
        string expected = type switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            _ => "another kind of value",
        };
        return $"{match.Groups[2].Value} expects {expected}, got '{match.Groups[1].Value}'";
    }

    private static int Classify(Exception e) => e switch
    {
        MissingUnitsException => IncompleteError,
        ModelFileException or DatasetException or InputFileException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException => InputError,
        DownloadException or IOException or UnauthorizedAccessException => RuntimeError,
        ArgumentException or RunConflictException => UsageError,
        _ => RuntimeError,
    };

    /// <summary>Not one of the failures Concord reports by design: a bug, said in one line (the trace with --verbose).</summary>
    private static bool IsUnexpected(Exception e) => e is not (DownloadException or IOException or UnauthorizedAccessException);

    /// <summary>
    /// The library's settings by the flags that set them. Model, Tasks and Methods word their
    /// errors in their own terms (<see cref="SettingException"/>, <see cref="Remedy"/>); the CLI
    /// says them in its own.
    /// </summary>
    private static readonly Dictionary<string, string> Flags = new()
    {
        ["Steps"] = "--steps", ["Minutes"] = "--minutes", ["Out"] = "--out", ["Resume"] = "--resume", ["Model"] = "--model",
        ["DropInvalid"] = "--drop-invalid", ["IgTolerance"] = "--ig-tolerance", ["SplitIg"] = "--split-ig", ["Shard"] = "--shard", ["NeuronsPerLayer"] = "--neurons",
        ["MemoryBudget"] = "--memory-budget", ["NoBehaviourFilter"] = "--no-filter", ["Device"] = "--device",
        ["HeadDropout"] = "--head-dropout", ["Force"] = WritePolicy.ForceFlag,
    };

    /// <summary>A library text with every setting it names (a whole word: Steps, DropInvalid) replaced by its flag.</summary>
    private static string InFlags(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"\b[A-Z][A-Za-z]+\b", m => Flags.GetValueOrDefault(m.Value, m.Value));

    /// <summary>One line in the CLI's terms.</summary>
    public static string Describe(Exception e) => e switch
    {
        SettingException s => InFlags($"{s.Setting} {s.Detail}"),
        UnwritableFolderException u => $"{Flags.GetValueOrDefault(u.Setting, u.Setting)} {u.Message[(u.Setting.Length + 1)..]}",
        IHasRemedy { Remedy: { } r } h => $"{h.Problem} ({InFlags(r.ToString())})",
        _ => e.Message,
    };
}
