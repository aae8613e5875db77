namespace Concord.Cli.Run;

/// <summary>
/// The --out folder of a run: checked before anything is computed, created only once every input
/// has been validated, and held by one run at a time (an OS lock that dies with the process, so a
/// killed run never leaves the folder locked).
/// </summary>
public sealed class OutputFolder : IDisposable
{
    public const string LockFile = ".concord-run.lock";
    private readonly FileStream _lock;

    public string Path { get; }

    private OutputFolder(string path, FileStream @lock)
    {
        Path = path;
        _lock = @lock;
    }

    /// <summary>Fails with one line when --out cannot be an output folder; creates nothing.</summary>
    public static void Check(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("--out is empty");
        if (File.Exists(path)) throw new ArgumentException($"--out {path}: is a file, not a folder");
        for (var dir = new DirectoryInfo(System.IO.Path.GetFullPath(path)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(dir.FullName)) throw new ArgumentException($"--out {path}: {dir.FullName} is a file, not a folder");
            if (dir.Exists) break;
        }
    }

    /// <summary>Creates the folder, takes its lock and proves it writable.</summary>
    public static OutputFolder Claim(string path)
    {
        Check(path);
        try
        {
            Directory.CreateDirectory(path);
            var lockPath = System.IO.Path.Combine(path, LockFile);
            FileStream stream;
            try
            {
                stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                throw new IOException($"--out {path}: another concord run is writing there; wait for it to finish or choose another --out");
            }
            // With the lock held no other run writes here: a temporary left by a killed run is garbage.
            foreach (var stale in Directory.EnumerateFiles(path, "*.tmp-*", SearchOption.AllDirectories)) File.Delete(stale);
            stream.SetLength(0);
            var owner = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n");
            stream.Write(owner);
            stream.Flush();
            return new OutputFolder(path, stream);
        }
        catch (UnauthorizedAccessException)
        {
            throw new UnauthorizedAccessException($"--out {path}: cannot write there (permission denied)");
        }
    }

    // The lock file stays: deleting it could race with a run that opened it in between and let a third one in.
    public void Dispose() => _lock.Dispose();
}
