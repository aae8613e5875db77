using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Concord.Model;

/// <summary>
/// The one way Concord writes result files: into a temporary sibling, then renamed over the target,
/// so a reader (or an interrupted run) never sees a half-written file. Temporaries are named by
/// process, machine and write (<c>name.tmp-PID-HOST-N</c>), so no two writers — threads, processes,
/// machines sharing a folder — ever share a temporary, and a leftover can be traced to a dead writer.
/// </summary>
public static class AtomicFile
{
    /// <summary>A glob every temporary matches (and some user files too: <see cref="IsTemporary"/> decides).</summary>
    public const string TemporaryPattern = "*.tmp-*";

    private const string Marker = ".tmp-";

    // Exactly the names Temporary() makes: target.tmp-PID-HOST-N, optionally with the writer's
    // extension (.png). A user's "chapter1.tmp-draft" or "report.tmp-2024.csv" never matches.
    [System.Diagnostics.CodeAnalysis.StringSyntax("Regex")]
    private const string TemporaryName = @"^.+\.tmp-(?<pid>[0-9]+)-(?<host>[0-9a-f]{8})-[0-9]+(\.[A-Za-z0-9]+)?$";
    private static readonly System.Text.RegularExpressions.Regex TemporaryRegex = new(TemporaryName, System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    // The host by a short hash: machine names may hold dots and dashes; a hash parses unambiguously.
    private static long _writes;

    private static readonly string Host = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Environment.MachineName)))[..8];

    /// <summary>Lets <paramref name="write"/> create the temporary file by path (for libraries that only save to paths).</summary>
    /// <param name="extension">Suffix of the temporary name, for writers that choose the format by extension.</param>
    public static void Write(string path, Action<string> write, string extension = ".tmp")
    {
        var tmp = Temporary(path, extension);
        try
        {
            write(tmp);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    public static void Write(string path, Action<Stream> write) => Write(path, tmp =>
    {
        using var stream = File.Create(tmp);
        write(stream);
    });

    public static void WriteAllText(string path, string text) => Write(path, tmp => File.WriteAllText(tmp, text));

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> only if no file is there, atomically:
    /// of several processes trying at once exactly one succeeds (a rename that refuses to replace),
    /// and the others find a whole file. False when the file already existed.
    /// </summary>
    public static bool TryCreate(string path, string text)
    {
        var tmp = Temporary(path, ".tmp");
        try
        {
            File.WriteAllText(tmp, text);
            File.Move(tmp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static string Temporary(string path, string extension) =>
        $"{path}{Marker}{Environment.ProcessId}-{Host}-{Interlocked.Increment(ref _writes)}{(extension == ".tmp" ? "" : extension)}";

    /// <summary>Whether <paramref name="path"/> is named exactly as this class names its temporaries (by process, host and write).</summary>
    public static bool IsTemporary(string path) => TemporaryRegex.IsMatch(Path.GetFileName(path));

    /// <summary>
    /// The temporaries directly in <paramref name="folder"/> (never below it): only Concord's own names,
    /// so a user's file that merely contains ".tmp-" is never taken for one. Empty when the folder does not exist.
    /// </summary>
    public static IEnumerable<string> TemporariesIn(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, TemporaryPattern, SearchOption.TopDirectoryOnly).Where(IsTemporary).ToList()
            : [];

    /// <summary>
    /// Whether a temporary was left by a process of this machine that no longer runs: only then is it
    /// certainly garbage while other writers may share the folder. (Temporaries of other machines are
    /// judged by whoever holds the folder alone.)
    /// </summary>
    public static bool IsOrphan(string temporary)
    {
        var match = TemporaryRegex.Match(Path.GetFileName(temporary));
        if (!match.Success || match.Groups["host"].Value != Host || !int.TryParse(match.Groups["pid"].Value, out int pid)) return false;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
    }
}
