using Concord.Tasks;
using System.Diagnostics;
using Concord.Methods.Pipeline;
using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using Concord.Studies;

namespace Concord.Studies.Running;

/// <summary>
/// A study run into an output folder, as `concord run` does it: the folder claimed (alone, or as one
/// shard of many), every unit read from or written to the task folders' unit stores, and the outputs
/// written by the exporters the caller picked — each task's as it finishes in a one-process run, every
/// task's at the end of a merge (once every unit is there), none by a shard. Three steps, so a caller
/// can report between them: <see cref="Start"/> (claim), <see cref="Compute"/>, <see cref="Finish"/>;
/// <see cref="Execute"/> does all three.
/// </summary>
public sealed class StudyRun : IDisposable
{
    private readonly OutputFolder _folder;
    private readonly IReadOnlyList<IStudyExporter> _exporters;

    public Study Study { get; }
    public StudyOutput Output { get; }
    public UnitSelection Selection { get; }
    public StudyExport Export { get; }

    private StudyRun(Study study, StudyOutput output, UnitSelection selection, IReadOnlyList<IStudyExporter> exporters, OutputFolder folder, StudyExport export)
    {
        (Study, Output, Selection, _exporters, _folder, Export) = (study, output, selection, exporters, folder, export);
    }

    /// <summary>Checks and claims the output folder (creating it; refused in the caller's name for it); <paramref name="note"/> hears what the caller should pass on.</summary>
    /// <param name="started">When the caller's work began, for run.json and the report's wall time (now by default).</param>
    public static StudyRun Start(Study study, StudyOutput output, UnitSelection? selection = null, IReadOnlyList<IStudyExporter>? exporters = null,
        Action<string>? note = null, DateTimeOffset? started = null, Stopwatch? clock = null)
    {
        selection ??= UnitSelection.All;
        var folder = OutputFolder.ClaimFor(study, output, selection, note);
        return new StudyRun(study, output, selection, exporters ?? StudyExporters.All, folder, new StudyExport(study, output, started, clock));
    }

    /// <summary>Reads or computes every unit this process's selection names; a one-process run exports each task as it finishes.</summary>
    public StudyOutcome Compute(IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default) =>
        Study.Run(kind => UnitStores.For(Output, kind, Study), Selection, progress, cancel, task =>
        {
            if (Selection == UnitSelection.All && task.Analysis is not null) TaskFinished(task);
        });

    /// <summary>
    /// Ends the run: nothing more for a shard; otherwise every unit must be there (a merge lists the
    /// missing ones and writes nothing), a merge exports every task, and every exporter is told the study ended.
    /// </summary>
    public void Finish(StudyOutcome result)
    {
        if (Selection is Shard) return;
        if (result.Missing.Count > 0)
            throw new MissingUnitsException(Output.Folder, result.Missing, ShardManifest.Find(Output.Folder)?.Shards, result.UnitCount);
        // Every unit there and still no analysis: never report success with a task's outputs missing.
        if (result.Tasks.FirstOrDefault(t => t.Analysis is null) is { } empty)
            throw new InvalidOperationException($"task {empty.Task.Kind.Id()} has every unit but no result to write; nothing was written for it");
        if (Selection == UnitSelection.Merge) foreach (var task in result.Tasks) TaskFinished(task);
        foreach (var exporter in _exporters) exporter.StudyFinished(Export, result);
    }

    /// <summary>Start, compute and finish in one call.</summary>
    public static StudyOutcome Execute(Study study, StudyOutput output, UnitSelection? selection = null, IReadOnlyList<IStudyExporter>? exporters = null,
        IProgress<PipelineProgress>? progress = null, CancellationToken cancel = default)
    {
        using var run = Start(study, output, selection, exporters);
        var result = run.Compute(progress, cancel);
        run.Finish(result);
        return result;
    }

    private void TaskFinished(TaskOutcome task)
    {
        foreach (var exporter in _exporters) exporter.TaskFinished(Export, task);
    }

    public void Dispose() => _folder.Dispose();
}
