using Concord.Methods.Edges;
using Concord.Methods.Pipeline;
using Concord.Methods.Verification;
using Concord.Tasks;

namespace Concord.Studies.Outputs;

/// <summary>
/// Each task's edge circuit per edge method at the chosen size (the top |score| edges, pruned as
/// EAP-IG prunes): EAP-IG/MIB graph JSON (<c>Graph.from_json</c>), a Graphviz DOT file and a PNG drawn in-process.
/// </summary>
public sealed class EdgeCircuitExporter : TaskExporter
{
    public static string FileStem(string method) => $"circuit-{method}";

    /// <summary>The circuit the files of a method hold: its prompt-mean scores' top |score| edges at the chosen size, pruned.</summary>
    public static EdgeCircuit Circuit(TaskEdges edges, string method, EdgeOptions options, Methods.Attribution.Direction direction)
    {
        var mean = edges.Scores[method].Mean();
        return EdgeCircuit.Top(edges.Graph, EdgeCircuit.Order(mean, RankingKind.Absolute, direction), EdgeCircuit.Size(edges.Graph, options.CircuitPercent));
    }

    protected override void Write(StudyExport export, TaskOutcome task, TaskAnalysis analysis, string folder)
    {
        if (task.Edges is not { } edges || export.Study.Options.Edges is not { } options) return;
        var direction = export.Study.Options.Pipeline.Attribution.Direction;
        string taskId = task.Task.Kind.Id();
        foreach (var method in edges.Methods)
        {
            var circuit = Circuit(edges, method, options, direction);
            var mean = edges.Scores[method].Mean();
            string stem = Path.Combine(folder, FileStem(method));
            EdgeGraphJson.Write(stem + ".json", circuit, mean, export.Study.Model.Config, direction, taskId, method);
            EdgeCircuitDot.Write(stem + ".dot", circuit, mean,
                FormattableString.Invariant($"{taskId}: {method}, top {options.CircuitPercent:G} % of edges by |score| ({circuit.EdgeCount} after pruning)"));
            EdgeCircuitPlot.Write(stem + ".png", circuit, mean, taskId, method, options.CircuitPercent);
        }
    }
}
