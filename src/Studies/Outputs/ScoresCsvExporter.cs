using Concord.Tasks;
using Concord.Methods.Results;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>Each task's scores.csv: every score of every method and kind, one row per prompt and component (long format).</summary>
public sealed class ScoresCsvExporter : TaskExporter
{
    public const string FileName = "scores.csv";

    public override void TaskFinished(StudyExport export, TaskOutcome task)
    {
        var analysis = task.Analysis ?? throw new ArgumentException($"{task.Task.Kind.Id()} is not complete", nameof(task));
        var pipeline = export.Study.Options.Pipeline;
        var folder = Directory.CreateDirectory(export.TaskFolder(task)).FullName;
        ScoreCsv.Write(Path.Combine(folder, FileName), analysis.Result.Batches.Select(batch => new ScoreCsv.Batch(
            pipeline.Methods.SelectMany(m => pipeline.Kinds.Select(k => batch.Scores(m, k))).OfType<ScoreSet>(),
            batch.Rows, batch.Lengths)));
    }
}
