using Concord.Methods.Targets;
using Concord.Methods.Edges;
using Concord.Methods.Pipeline;
using Concord.Studies.Outputs;
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

    /// <summary>
    /// Fails with one line when <paramref name="path"/> cannot be an output folder; creates nothing. Beyond
    /// <see cref="WritePolicy.Folder"/> (system folders by name and by where symlinks lead, files in the
    /// way): a folder no concord run made (it holds no <see cref="LockFile"/>) may not hold a file of a name
    /// the run writes (<see cref="WrittenFiles"/>) unless <paramref name="force"/>; a folder a run made is
    /// that run's, to resume or redo.
    /// </summary>
    /// <param name="name">How the message names the folder ("--out").</param>
    /// <param name="tasks">The ids of the run's tasks (default: the built-in ones).</param>
    public static void Check(string path, string name = "--out", IReadOnlyList<string>? tasks = null, bool force = false)
    {
        var resolved = WritePolicy.Folder(name, path);
        if (File.Exists(System.IO.Path.Combine(resolved, LockFile))) return;
        WritePolicy.RefuseReplacing(name, path, WrittenFiles(tasks ?? BuiltInIds), force);
    }

    private static IReadOnlyList<string> BuiltInIds => TaskDescriptor.BuiltIn.Select(t => t.Id()).ToList();

    /// <summary>
    /// Every file a run of <paramref name="tasks"/> can write, relative to its folder: run.json, report.md,
    /// shards.json, and per task scores.csv, agreement.json and every plot, graph and DOT file of any
    /// component kind and edge method (units are named by their content's key, which no user file shares).
    /// </summary>
    public static IEnumerable<string> WrittenFiles(IEnumerable<string> tasks)
    {
        string[] top = [RunRecord.FileName, Report.FileName, ShardManifest.FileName];
        var kinds = TargetSpace.BuiltIn;
        var perTask = new[] { ScoresCsvExporter.FileName, AgreementJsonExporter.FileName, Plots.Heatmaps, Plots.MlpBars, Plots.Sweep }
            .Concat(kinds.SelectMany(k => new[] { Plots.Scatter(k), VerificationPlots.File(k), StructurePlots.ScatterFile(k), StructurePlots.HeatmapFile(k), StructurePlots.PathFile(k) }))
            .Concat(EdgeMethodCatalogue.BuiltIn.SelectMany(m => new[] { ".json", ".dot", ".png" }.Select(e => EdgeCircuitExporter.FileStem(m.Id()) + e)))
            .ToList();
        return top.Concat(tasks.SelectMany(t => perTask.Select(f => System.IO.Path.Combine(t, f))));
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
        var claimed = selection is Shard shard ? ClaimShard(folder, shard, output.Name, tasks, output.Force) : Claim(folder, output.Name, tasks, output.Force);
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
    public static OutputFolder Claim(string path, string name = "--out", IReadOnlyList<string>? tasks = null, bool force = false) => Create(path, name, tasks, force, () =>
    {
        var stream = Lock(path, LockFile, exclusive: true,
            "another concord run (or a shard) is writing there; wait for it to finish or choose another --out");
        // With the folder held alone no other process writes here: any temporary of Concord's is garbage.
        foreach (var stale in Temporaries(path, tasks)) File.Delete(stale);
        Own(stream);
        return new OutputFolder(path, stream);
    });

    /// <summary>Creates the folder and takes it as one of the shards that share it.</summary>
    public static OutputFolder ClaimShard(string path, Shard shard, string name = "--out", IReadOnlyList<string>? tasks = null, bool force = false) => Create(path, name, tasks, force, () =>
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
        (tasks ?? BuiltInIds).SelectMany(id => new[] { System.IO.Path.Combine(path, id), System.IO.Path.Combine(path, id, UnitStores.FolderName) })
            .Prepend(path)
            .SelectMany(AtomicFile.TemporariesIn)
            .ToList();

    private static OutputFolder Create(string path, string name, IReadOnlyList<string>? tasks, bool force, Func<OutputFolder> claim)
    {
        Check(path, name, tasks, force);
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
