using Concord.Methods.Edges;
using Concord.Methods.Pipeline;
using Concord.Tasks;
using Concord.Methods.Results;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>Each task's scores.csv: every score of every method and kind, one row per prompt and component (long format).</summary>
public sealed class ScoresCsvExporter : TaskExporter
{
    public const string FileName = "scores.csv";

    protected override void Write(StudyExport export, TaskOutcome task, TaskAnalysis analysis, string folder)
    {
        var pipeline = export.Study.Options.Pipeline;
        var batches = analysis.Result.Batches.Select(batch => new ScoreCsv.Batch(
            pipeline.Methods.SelectMany(m => pipeline.Spaces.Select(k => batch.Scores(m, k))).OfType<ScoreSet>(),
            batch.Rows, batch.Lengths));
        // The edges after the nodes: every prompt of the task at once, as the edge pass keeps them.
        if (task.Edges is { } edges)
            batches = batches.Append(new ScoreCsv.Batch(edges.Scores.Values.Select(EdgeSpace.ScoresOf), edges.Rows.SelectMany(r => r).ToArray(), null));
        ScoreCsv.Write(Path.Combine(folder, FileName), batches);
    }
}
