using System.Globalization;
using System.Runtime.CompilerServices;
using Concord.Methods.Results;
using Concord.Methods.Targets;
using Concord.Model.Edges;

namespace Concord.Methods.Edges;

/// <summary>
/// The edges of a graph as a target space (id "edge"): a target's index is the edge's place in
/// <see cref="EdgeGraph"/> order, its layer the receiver's (the logits: the layer count), its label
/// and index text the edge's EAP-IG name. Edge scores written through it take the node scores' way
/// into scores.csv.
/// </summary>
public static class EdgeSpace
{
    public const string Id = "edge";

    // One space per graph, so every score set of a task's edges names the same instance (spaces compare by reference).
    private static readonly ConditionalWeakTable<EdgeGraph, Spaced> Spaces = [];

    private sealed record Spaced(TargetSpace Space, IReadOnlyList<Target> Targets);

    public static TargetSpace Of(EdgeGraph graph) => For(graph).Space;

    /// <summary>Every edge of the graph as a target, in graph order.</summary>
    public static IReadOnlyList<Target> Targets(EdgeGraph graph) => For(graph).Targets;

    private static Spaced For(EdgeGraph graph) => Spaces.GetValue(graph, g =>
    {
        var names = g.EdgeNames();
        var space = new TargetSpace(Id, "edges", t => names[t.Index], t => names[t.Index]);
        var targets = g.Edges.Select((e, i) => new Target(e.To.Kind == ReceiverKind.Logits ? g.Layers : e.To.Layer, space, i)).ToArray();
        return new Spaced(space, targets);
    });

    /// <summary>An edge method's scores as a score set over the graph's edges.</summary>
    public static ScoreSet ScoresOf(EdgeScores scores) => new(scores.Method, Targets(scores.Graph), scores.Values);
}
