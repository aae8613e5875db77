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
        ScoreCsv.Write(Path.Combine(folder, FileName), analysis.Result.Batches.Select(batch => new ScoreCsv.Batch(
            pipeline.Methods.SelectMany(m => pipeline.Spaces.Select(k => batch.Scores(m, k))).OfType<ScoreSet>(),
            batch.Rows, batch.Lengths)), task.Edges is { } edges ? EdgeRows(edges) : null);
    }

    /// <summary>Edge rows in scores.csv's columns: layer = the receiver's (the logits: the layer count), kind "edge", index the edge's EAP-IG name, no position.</summary>
    private static IEnumerable<string[]> EdgeRows(Methods.Edges.TaskEdges edges)
    {
        var graph = edges.Graph;
        var names = graph.EdgeNames();
        var layers = graph.Edges.Select(e => (e.To.Kind == Model.Edges.ReceiverKind.Logits ? graph.Layers : e.To.Layer).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var rows = edges.Rows.SelectMany(r => r).ToArray();
        foreach (var (method, scores) in edges.Scores)
            for (int b = 0; b < scores.Prompts; b++)
                for (int e = 0; e < graph.EdgeCount; e++)
                    yield return [rows[b].ToString(System.Globalization.CultureInfo.InvariantCulture), layers[e], "edge", names[e], "", method,
                        scores.Values[b, e].ToString("R", System.Globalization.CultureInfo.InvariantCulture)];
    }
}
