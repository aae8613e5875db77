namespace Concord.Model;

/// <summary>
/// The one way Concord writes result files: into a temporary sibling, then renamed over the target,
/// so a reader (or an interrupted run) never sees a half-written file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Lets <paramref name="write"/> create the temporary file by path (for libraries that only save to paths).</summary>
    /// <param name="extension">Suffix of the temporary name, for writers that choose the format by extension.</param>
    public static void Write(string path, Action<string> write, string extension = ".tmp")
    {
        var tmp = path + ".tmp-" + Environment.ProcessId + (extension == ".tmp" ? "" : extension);
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
}
