using System.Globalization;
using Concord.Methods.Edges;
using Concord.Model;
using Concord.Model.Edges;
using ScottPlot;

namespace Concord.Studies.Outputs;

/// <summary>
/// A circuit diagram as a PNG, drawn in-process (no Graphviz on the machine needed): the model
/// bottom to top, <c>input</c> at the bottom, each layer's heads in a row with its MLP at the side
/// one step above them (it reads them), <c>logits</c> at the top. Nodes outside the circuit stay as
/// grey dots so the layout is the same for every k; a head's q, k and v inputs are entered left,
/// centre and right (small dots beside the head) so edges into them can be told apart. Colours and widths as <see cref="EdgeCircuitStyle"/>.
/// </summary>
public static class EdgeCircuitPlot
{
    private const double InputSpread = 0.18;

    public static void Write(string path, EdgeCircuit circuit, IReadOnlyList<double> scores, string task, string method, double percent)
    {
        var graph = circuit.Graph;
        if (scores.Count != graph.EdgeCount) throw new ArgumentException($"{scores.Count} scores for {graph.EdgeCount} edges", nameof(scores));
        var plot = new Plot();
        double largest = EdgeCircuitStyle.LargestMagnitude(circuit, scores);
        foreach (int e in circuit.Edges)
        {
            var (sender, receiver) = graph.Ends(e);
            var (x1, y1) = Place(graph, sender);
            var (x2, y2) = Place(graph, CircuitNodes.OfReceiver(graph, receiver));
            x2 += graph.Receivers[receiver].Input switch { ReceiverInput.Q => -InputSpread, ReceiverInput.V => InputSpread, _ => 0 };
            var line = plot.Add.Line(x1, y1, x2, y2);
            line.LineColor = Color.FromHex(EdgeCircuitStyle.IsPositive(scores[e]) ? EdgeCircuitStyle.PositiveHex : EdgeCircuitStyle.NegativeHex).WithAlpha(0.75);
            line.LineWidth = (float)EdgeCircuitStyle.Width(scores[e], largest);
        }
        Sender? SenderOf(int node) => node == CircuitNodes.Logits(graph) ? null : graph.Senders[node];
        for (int n = 0; n < CircuitNodes.Count(graph); n++)
        {
            var (x, y) = Place(graph, n);
            bool kept = circuit.NodesInGraph[n];
            plot.Add.Marker(x, y, MarkerShape.FilledCircle, kept ? 12 : 5, kept ? Colors.Black : Colors.LightGray);
            if (!kept) continue;
            if (SenderOf(n) is { Kind: SenderKind.Head })
                foreach (double entry in new[] { -InputSpread, InputSpread })
                    plot.Add.Marker(x + entry, y, MarkerShape.FilledCircle, 5, Colors.Black);
            var label = plot.Add.Text(CircuitNodes.Name(graph, n), x, y);
            label.LabelFontSize = 11;
            label.LabelAlignment = Alignment.LowerCenter;
            label.OffsetY = -8;
        }
        plot.HideAxesAndGrid();
        plot.Axes.SetLimits(-1, graph.Heads + 1, -1, 2 * graph.Layers + 2);
        string share = (100.0 * circuit.Share).ToString("0.##", CultureInfo.InvariantCulture);
        plot.Title($"{task}: {method} circuit, k = {percent.ToString("0.###", CultureInfo.InvariantCulture)} % → {circuit.EdgeCount} of {graph.EdgeCount} edges ({share} %)\n{EdgeCircuitStyle.Legend}");
        int width = Math.Clamp(160 + 90 * (graph.Heads + 2), 640, 2400), height = Math.Clamp(160 + 70 * (2 * graph.Layers + 2), 480, 2400);
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, width, height), extension: ".png");
    }

    /// <summary>Where a node sits: y by position in the forward pass, x by head (the MLP beside the heads).</summary>
    private static (double X, double Y) Place(EdgeGraph graph, int node)
    {
        double centre = (graph.Heads - 1) / 2.0;
        if (node == CircuitNodes.Input) return (centre, 0);
        if (node == CircuitNodes.Logits(graph)) return (centre, 2 * graph.Layers + 1);
        var sender = graph.Senders[node];
        return sender.Kind == SenderKind.Head ? (sender.Head, 2 * sender.Layer + 1) : (graph.Heads, 2 * sender.Layer + 2);
    }
}
