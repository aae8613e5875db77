using System.Globalization;
using System.Text;
using Concord.Methods.Edges;
using Concord.Model;
using Concord.Model.Edges;

namespace Concord.Studies.Outputs;

/// <summary>
/// A circuit as a Graphviz DOT file, drawn bottom to top as the model computes: <c>input</c> at the
/// bottom, each layer's heads on one rank, its MLP on the rank above them (it reads those heads),
/// <c>logits</c> at the top. One DOT edge per circuit edge; a head's q/k/v input is the edge's
/// label and its EAP-IG name the tooltip, since several edges join the same two nodes.
/// </summary>
public static class EdgeCircuitDot
{
    public static void Write(string path, EdgeCircuit circuit, IReadOnlyList<double> scores, string title) =>
        AtomicFile.WriteAllText(path, Render(circuit, scores, title));

    public static string Render(EdgeCircuit circuit, IReadOnlyList<double> scores, string title)
    {
        var graph = circuit.Graph;
        if (scores.Count != graph.EdgeCount) throw new ArgumentException($"{scores.Count} scores for {graph.EdgeCount} edges", nameof(scores));
        var dot = new StringBuilder();
        dot.AppendLine("digraph circuit {");
        dot.AppendLine("  rankdir=BT;");
        dot.AppendLine(CultureInfo.InvariantCulture, $"  label={Quote($"{title}\n{EdgeCircuitStyle.Legend}")}; labelloc=t; fontname=Helvetica;");
        dot.AppendLine("  node [shape=box, style=\"filled,rounded\", fillcolor=\"#f0f0f0\", fontname=Helvetica];");
        bool In(int node) => circuit.NodesInGraph[node];
        void Rank(string rank, IEnumerable<int> nodes)
        {
            var names = nodes.Where(In).Select(n => Quote(CircuitNodes.Name(graph, n))).ToList();
            if (names.Count > 0) dot.AppendLine(CultureInfo.InvariantCulture, $"  {{ rank={rank}; {string.Join("; ", names)}; }}");
        }
        Rank("min", [CircuitNodes.Input]);
        for (int l = 0; l < graph.Layers; l++)
        {
            int first = graph.FirstSenderOfLayer(l);
            Rank("same", Enumerable.Range(first, graph.Heads));
            Rank("same", [first + graph.Heads]);
        }
        Rank("max", [CircuitNodes.Logits(graph)]);

        double largest = EdgeCircuitStyle.LargestMagnitude(circuit, scores);
        foreach (int e in circuit.Edges)
        {
            var edge = graph[e];
            var attributes = new List<string>
            {
                $"tooltip={Quote(edge.Name)}",
                $"color=\"{(EdgeCircuitStyle.IsPositive(scores[e]) ? EdgeCircuitStyle.PositiveHex : EdgeCircuitStyle.NegativeHex)}\"",
                $"penwidth={EdgeCircuitStyle.Width(scores[e], largest).ToString("0.###", CultureInfo.InvariantCulture)}",
            };
            if (edge.To.Input != ReceiverInput.None) attributes.Insert(0, $"label=\"{edge.To.Input.ToString().ToLowerInvariant()}\"");
            dot.AppendLine(CultureInfo.InvariantCulture, $"  {Quote(edge.From.Name)} -> {Quote(edge.To.NodeName)} [{string.Join(", ", attributes)}];");
        }
        dot.AppendLine("}");
        return dot.ToString();
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
