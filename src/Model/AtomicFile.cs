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
    /// <summary>The glob that matches every temporary (for clean-up).</summary>
    public const string TemporaryPattern = "*.tmp-*";

    private const string Marker = ".tmp-";

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

    /// <summary>
    /// Whether a temporary was left by a process of this machine that no longer runs: only then is it
    /// certainly garbage while other writers may share the folder. (Temporaries of other machines, or
    /// of an older naming, are judged by whoever holds the folder alone.)
    /// </summary>
    public static bool IsOrphan(string temporary)
    {
        var name = Path.GetFileName(temporary);
        int at = name.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return false;
        var parts = name[(at + Marker.Length)..].Split('-', '.');
        if (parts.Length < 2 || parts[1] != Host || !int.TryParse(parts[0], out int pid)) return false;
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
