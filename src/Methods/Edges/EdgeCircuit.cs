using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Verification;
using Concord.Model.Edges;

namespace Concord.Methods.Edges;

/// <summary>
/// A circuit of edges (MIB's circuit track): the top <see cref="Requested"/> edges of a ranking,
/// pruned as EAP-IG prunes them (<see cref="EdgePruning"/>), so it may hold fewer edges than asked
/// for; <see cref="EdgeCount"/> and <see cref="Share"/> are what it really keeps.
/// </summary>
public sealed class EdgeCircuit
{
    /// <summary>MIB's circuit sizes, in percent of the graph's edges.</summary>
    public static IReadOnlyList<double> Percentages { get; } = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

    public EdgeGraph Graph { get; }
    /// <summary>How many edges the ranking put in before pruning.</summary>
    public int Requested { get; }
    /// <summary>Whether each edge (in graph order) is in the circuit after pruning.</summary>
    public IReadOnlyList<bool> InGraph { get; }
    /// <summary>Whether each node (<see cref="CircuitNodes"/> order) is in the circuit; <c>logits</c> always is.</summary>
    public IReadOnlyList<bool> NodesInGraph { get; }
    public int EdgeCount { get; }

    public double Share => (double)EdgeCount / Graph.EdgeCount;

    public IEnumerable<int> Edges => Enumerable.Range(0, Graph.EdgeCount).Where(e => InGraph[e]);

    private EdgeCircuit(EdgeGraph graph, int requested, EdgePruning.Result pruned)
    {
        Graph = graph;
        Requested = requested;
        InGraph = pruned.Edges;
        NodesInGraph = pruned.Nodes;
        EdgeCount = pruned.Edges.Count(kept => kept);
    }

    /// <summary>The edges a circuit of <paramref name="percent"/> % asks for: ⌈k·N⌉, at least one for any k &gt; 0 (the node circuits' rounding); none for k = 0.</summary>
    public static int Size(EdgeGraph graph, double percent) => percent <= 0 ? 0 : TopK.K(graph.EdgeCount, percent / 100);

    /// <summary>
    /// Edges from most to least important by their prompt-mean score, as the node circuits rank
    /// (<see cref="Ranking.Order"/>: −score noising, +score denoising, or |score|; ties by edge index).
    /// </summary>
    public static int[] Order(IReadOnlyList<double> meanScores, RankingKind kind, Direction direction) => Ranking.Order(meanScores, kind, direction);

    /// <summary>The first <paramref name="size"/> edges of <paramref name="order"/>, pruned.</summary>
    public static EdgeCircuit Top(EdgeGraph graph, IReadOnlyList<int> order, int size)
    {
        if (order.Count != graph.EdgeCount) throw new ArgumentException($"a ranking of {order.Count} edges for a graph of {graph.EdgeCount}", nameof(order));
        if (size < 0 || size > graph.EdgeCount) throw new ArgumentOutOfRangeException(nameof(size), size, $"a circuit holds 0..{graph.EdgeCount} edges");
        var chosen = new bool[graph.EdgeCount];
        for (int i = 0; i < size; i++) chosen[order[i]] = true;
        return new EdgeCircuit(graph, size, EdgePruning.Prune(graph, chosen));
    }

    /// <summary>The given edges, pruned.</summary>
    public static EdgeCircuit Of(EdgeGraph graph, IEnumerable<int> edges)
    {
        var chosen = new bool[graph.EdgeCount];
        foreach (int e in edges) chosen[e] = true;
        return new EdgeCircuit(graph, chosen.Count(c => c), EdgePruning.Prune(graph, chosen));
    }

    /// <summary>The circuit's edges as names, in graph order.</summary>
    public IEnumerable<string> EdgeNames() => Edges.Select(e => Graph[e].Name);
}
