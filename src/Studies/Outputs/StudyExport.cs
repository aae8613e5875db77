using Concord.Tasks;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>What every exporter is told: the study, where its outputs go, and when it started (for the provenance and the report's wall time).</summary>
public sealed class StudyExport
{
    private readonly Stopwatch _clock;

    public Study Study { get; }
    public StudyOutput Output { get; }
    public DateTimeOffset Started { get; }

    /// <param name="started">When the caller's work began (a CLI run: before the model loaded); now by default.</param>
    /// <param name="clock">Running since <paramref name="started"/>; a new one by default.</param>
    public StudyExport(Study study, StudyOutput output, DateTimeOffset? started = null, Stopwatch? clock = null)
    {
        Study = study;
        Output = output;
        Started = started ?? DateTimeOffset.UtcNow;
        _clock = clock ?? Stopwatch.StartNew();
    }

    /// <summary>Time since the start, by a monotonic clock.</summary>
    public TimeSpan Wall => _clock.Elapsed;

    /// <summary>The folder of a task's files.</summary>
    public string TaskFolder(TaskOutcome task) => Path.Combine(Output.Folder, task.Task.Kind.Id());

    /// <summary>run.json as known now: without an end time while tasks finish, with it at the end.</summary>
    public JsonObject Provenance(DateTimeOffset? finished = null) => RunRecord.Build(Study, Output, Started, finished);
}
