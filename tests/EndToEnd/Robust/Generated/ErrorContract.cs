using Concord.Cli;
using Concord.Tests.EndToEnd.Support;

namespace Concord.Tests.EndToEnd.Robust.Generated;

/// <summary>
/// The README's error contract as one check: a refused input exits 2 (usage) or 3 (input file) — any
/// other exit only where the valid command line it was made from exits so too —, with exactly one line
/// on stderr that starts "error: ", names what the user gave (an option, a variable, a file, a value) and
/// holds no .NET type name, no "internal error" and no stack trace; and a refused command created none
/// of the paths it would have written.
/// </summary>
public static class ErrorContract
{
    private static readonly string[] Forbidden = ["System.", "Exception", "internal error", "   at ", "a bug in Concord"];

    /// <summary>Null when <paramref name="result"/> keeps the contract, else what broke it.</summary>
    /// <param name="validCode">The exit code of the valid command line the case was made from (0, or 1 for a download that cannot connect).</param>
    /// <param name="names">Any one of these must appear in the error line (the option or variable, the value as given, the file).</param>
    /// <param name="untouched">Paths a refused command must not have created (its --out, --cache).</param>
    public static string? Violation(InProcessConcord.Result result, int validCode, IReadOnlyCollection<string> names, IReadOnlyCollection<string> untouched)
    {
        // Still working when the case's time ran out: the value passed validation (a large but valid --steps).
        if (result.TimedOut) return null;
        bool refused = result.Code is CliRunner.UsageError or CliRunner.InputError;
        if (!refused && result.Code != validCode) return $"exit {result.Code}, expected 2 (usage), 3 (input file) or {validCode} (as the valid command line)";
        if (result.Code == 0) return null;
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length != 1) return $"{lines.Length} lines on stderr, expected one";
        var line = lines[0];
        if (!line.StartsWith("error: ", StringComparison.Ordinal)) return "the line does not start with 'error: '";
        if (Forbidden.FirstOrDefault(f => result.Error.Contains(f, StringComparison.Ordinal)) is { } bad) return $"stderr holds '{bad}'";
        if (!refused) return null;
        if (names.Count > 0 && !names.Any(n => line.Contains(n, StringComparison.Ordinal)))
            return $"the line names none of {string.Join(", ", names.Select(n => $"«{n}»"))}";
        if (untouched.FirstOrDefault(Path.Exists) is { } created) return $"{created} was created by a refused command";
        return null;
    }

    /// <summary>A command line as a user would type it (bash quoting), for failure messages.</summary>
    public static string Shown(IEnumerable<string> args) =>
        "concord " + string.Join(' ', args.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./,:=+@%".Contains(c)) ? a : "$'" + Escape(a) + "'"));

    private static string Escape(string text) => string.Concat(text.Select(c => c switch
    {
        '\'' => "\\'",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\t' => "\\t",
        '\r' => "\\r",
        _ when char.IsControl(c) => $"\\x{(int)c:x2}",
        _ => c.ToString(),
    }));
}

