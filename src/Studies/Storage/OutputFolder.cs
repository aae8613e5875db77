using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;

namespace Concord.Studies.Storage;

/// <summary>
/// The --out folder of a run: checked before anything is computed, created only once every input
/// has been validated, and locked with OS locks that die with the process (a killed run never leaves
/// the folder locked). A one-process run or a merge holds the folder alone; shards of one run share
/// it, each holding its own shard's lock, so the same shard cannot run twice at once and a
/// one-process run cannot start while shards write.
/// </summary>
public sealed class OutputFolder : IDisposable
{
    public const string LockFile = ".concord-run.lock";
    private readonly FileStream[] _locks;

    public string Path { get; }

    private OutputFolder(string path, params FileStream[] locks)
    {
        Path = path;
        _locks = locks;
    }

    /// <summary>Fails with one line when <paramref name="path"/> cannot be an output folder; creates nothing.</summary>
    /// <param name="name">How the message names the folder ("--out").</param>
    public static void Check(string path, string name = "--out")
    {
        SystemFolders.Refuse(name, path);
        if (File.Exists(path)) throw new ArgumentException($"{name} {path}: is a file, not a folder");
        for (var dir = new DirectoryInfo(System.IO.Path.GetFullPath(path)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(dir.FullName)) throw new ArgumentException($"{name} {path}: {dir.FullName} is a file, not a folder");
            if (dir.Exists) break;
        }
    }

    /// <summary>
    /// Claims the output folder for a run of <paramref name="study"/>: a shard records the study in
    /// shards.json (or checks the one there), a merge checks the recorded study, a one-process run
    /// claims the folder alone. <paramref name="note"/> hears what the caller should be told.
    /// </summary>
    public static OutputFolder ClaimFor(Study study, StudyOutput output, UnitSelection selection, Action<string>? note = null)
    {
        var manifest = new ShardManifest(study.Fingerprint, (selection as Shard)?.Count ?? 0, study.Options.Identity());
        var folder = output.Folder;
        var tasks = study.Tasks.Select(t => t.Kind.Id()).ToList();
        var claimed = selection is Shard shard ? ClaimShard(folder, shard, output.Name, tasks) : Claim(folder, output.Name, tasks);
        try
        {
            if (selection is Shard) ShardManifest.Join(folder, manifest);
            else if (selection == UnitSelection.Merge && ShardManifest.Find(folder) is { } recorded) manifest.RequireSameRun(recorded, folder, "this merge");
            else if (selection == UnitSelection.Merge) note?.Invoke($"{folder} holds no {ShardManifest.FileName}; merging whatever units it holds");
        }
        catch
        {
            claimed.Dispose();
            throw;
        }
        return claimed;
    }

    /// <param name="tasks">The ids of the tasks whose folders the run writes (the built-in ones when null): their stale temporaries are cleared.</param>
    public static OutputFolder Claim(string path, string name = "--out", IReadOnlyList<string>? tasks = null) => Create(path, name, () =>
    {
        var stream = Lock(path, LockFile, exclusive: true,
            "another concord run (or a shard) is writing there; wait for it to finish or choose another --out");
        // With the folder held alone no other process writes here: any temporary of Concord's is garbage.
        foreach (var stale in Temporaries(path, tasks)) File.Delete(stale);
        Own(stream);
        return new OutputFolder(path, stream);
    });

    /// <summary>Creates the folder and takes it as one of the shards that share it.</summary>
    public static OutputFolder ClaimShard(string path, Shard shard, string name = "--out", IReadOnlyList<string>? tasks = null) => Create(path, name, () =>
    {
        var shared = Lock(path, LockFile, exclusive: false,
            "a one-process concord run or a merge is using it; wait for it to finish or choose another --out");
        try
        {
            var own = Lock(path, $".concord-shard-{shard.Index}-of-{shard.Count}.lock", exclusive: true,
                $"shard {shard} of this run is already running there");
            // Other shards may be writing: only temporaries of this machine's dead processes are garbage.
            foreach (var stale in Temporaries(path, tasks).Where(AtomicFile.IsOrphan)) File.Delete(stale);
            Own(own);
            return new OutputFolder(path, shared, own);
        }
        catch
        {
            shared.Dispose();
            throw;
        }
    });

    /// <summary>
    /// Concord's own temporaries (by their exact name, <see cref="AtomicFile.IsTemporary"/>) in the folders a run writes:
    /// --out itself, each task's folder and its units/ — never any other folder below --out, which is the user's.
    /// </summary>
    private static IEnumerable<string> Temporaries(string path, IReadOnlyList<string>? tasks) =>
        (tasks ?? TaskDescriptor.BuiltIn.Select(t => t.Id()).ToList()).SelectMany(id => new[] { System.IO.Path.Combine(path, id), System.IO.Path.Combine(path, id, UnitStores.FolderName) })
            .Prepend(path)
            .SelectMany(AtomicFile.TemporariesIn)
            .ToList();

    private static OutputFolder Create(string path, string name, Func<OutputFolder> claim)
    {
        Check(path, name);
        try
        {
            Directory.CreateDirectory(path);
            return claim();
        }
        catch (Exception e) when (e is UnauthorizedAccessException || IoFailure.IsWriteRefused(e))
        {
            throw new UnwritableFolderException("Out", path, e);
        }
    }

    // .NET maps FileShare.None to an exclusive flock and any sharing to a shared one, so shards
    // (shared) exclude a whole-folder run (exclusive) and each other only per shard file.
    private static FileStream Lock(string folder, string file, bool exclusive, string heldBy)
    {
        var lockPath = System.IO.Path.Combine(folder, file);
        try
        {
            return exclusive
                ? new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
                : new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (IOException e) when (File.Exists(lockPath) && !IoFailure.IsWriteRefused(e))
        {
            throw new IOException($"--out {folder}: {heldBy}");
        }
    }

    private static void Own(FileStream stream)
    {
        stream.SetLength(0);
        stream.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
        stream.Flush();
    }

    // The lock file stays: deleting it could race with a run that opened it in between and let a third one in.
    public void Dispose()
    {
        foreach (var l in _locks) l.Dispose();
    }
}
