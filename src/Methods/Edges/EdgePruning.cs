using Concord.Model.Edges;

namespace Concord.Methods.Edges;

/// <summary>
/// EAP-IG's <c>Graph.prune</c>: a node stays only if some kept edge enters it and some kept edge
/// leaves it (<c>input</c> counts as entered, <c>logits</c> as always present), and an edge stays
/// only if both its nodes do; repeated to the fixed point, since dropping a node's edges can strand
/// its neighbours. The result is the largest subset of the edges where every kept edge lies on a
/// path from the input to the logits, so pruning a larger set never keeps fewer edges.
/// </summary>
/// <remarks>
/// hannamw/EAP-IG's loop stops when the node set repeats. <c>apply_topn</c> and <c>apply_threshold</c>
/// preset the nodes from the unpruned edges, so there it stops after one pass: the edges of nodes
/// lacking an in- or out-edge go, but a node stranded by that removal keeps its other edges, and
/// EAP-IG can report more edges than this for the same ranking. This runs to the fixed point its
/// docstring describes (DESIGN §11).
/// </remarks>
public static class EdgePruning
{
    public sealed record Result(bool[] Edges, bool[] Nodes);

    public static Result Prune(EdgeGraph graph, IReadOnlyList<bool> edges)
    {
        if (edges.Count != graph.EdgeCount) throw new ArgumentException($"{edges.Count} edge flags for a graph of {graph.EdgeCount} edges", nameof(edges));
        var kept = edges.ToArray();
        var from = CircuitNodes.SendingNodes(graph);
        var to = CircuitNodes.ReceivingNodes(graph);
        int logits = CircuitNodes.Logits(graph);
        var nodes = new bool[CircuitNodes.Count(graph)];
        bool changed = true;
        while (changed)
        {
            var entered = new bool[nodes.Length];
            var left = new bool[nodes.Length];
            entered[CircuitNodes.Input] = true;
            left[logits] = true;
            for (int e = 0; e < kept.Length; e++)
                if (kept[e])
                {
                    left[from[e]] = true;
                    entered[to[e]] = true;
                }
            for (int n = 0; n < nodes.Length; n++) nodes[n] = n == logits || (entered[n] && left[n]);
            changed = false;
            for (int e = 0; e < kept.Length; e++)
                if (kept[e] && !(nodes[from[e]] && nodes[to[e]]))
                {
                    kept[e] = false;
                    changed = true;
                }
        }
        return new Result(kept, nodes);
    }
}
