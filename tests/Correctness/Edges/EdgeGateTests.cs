using Concord.Methods.Attribution;
using Concord.Methods.Edges;
using Concord.Model.Edges;
using Concord.Tests.Support;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Edges;

/// <summary>
/// Known truth at edges on the hand-built gates (tests/Support/Models/GateModels.cs): m = offset +
/// Σ_i c_i h_i + w·AND(h₀, h₁), h_i written by head L0H{i} and read both by the logits (weight c_i)
/// and by layer 0's MLP (the AND neuron, read by the logits with weight w). AND: c = 0, w = G; OR:
/// c = G, w = −G (OR = h₀ + h₁ − AND); additive: c = G/2, no neuron. Noising, resampled, G = 2.
/// Every expected value is derived here from that formula, never from another method.
/// </summary>
[TestFixture]
public sealed class EdgeGateTests
{
    /// <summary>float64 round-off of a dyadic metric plus the GELU tail (<see cref="GateModels.TailBound"/>): see MethodTests.Gates.</summary>
    private const double Tolerance = 1e-12 + GateModels.TailBound;

    private const double G = GateModels.TwoHeadGap;

    private static EdgeContext Context(GateModel gate) => EdgeContext.Create(gate.Model, gate.Clean, gate.Corrupted, gate.Metric, new AttributionOptions());

    private static double[] Patched(EdgeContext context, params string[] edges)
    {
        var graph = context.Graph;
        var theta = graph.Mask(edges.Select(graph.EdgeIndex), context.Model.DType, context.Model.Device).unsqueeze(0);
        return context.Metric(new EdgeMask.Dense(theta), 1).Zip(context.BaseMetric, (m, f) => m - f).ToArray();
    }

    private static void AssertEvery(double[] values, double expected, string what)
    {
        foreach (var v in values) Assert.That(v, Is.EqualTo(expected).Within(Tolerance), what);
    }

    // Single edges: a head → gate edge switches the gate's input off (AND → 0: the w·AND term goes);
    // a head → logits edge removes c_i; the gate → logits edge removes w; the input → head value edge
    // removes the signal the head averages, so that head's output is 0 for every reader.
    [TestCase(Gate.And, "a0.h0->m0", -G)]
    [TestCase(Gate.And, "a0.h1->m0", -G)]
    [TestCase(Gate.And, "m0->logits", -G)]
    [TestCase(Gate.And, "a0.h0->logits", 0.0)]
    [TestCase(Gate.And, "input->a0.h0<v>", -G)]
    [TestCase(Gate.And, "input->a0.h0<q>", 0.0)]
    [TestCase(Gate.Or, "a0.h0->m0", G)]
    [TestCase(Gate.Or, "a0.h0->logits", -G)]
    [TestCase(Gate.Or, "m0->logits", G)]
    [TestCase(Gate.Or, "input->a0.h1<v>", 0.0)]
    [TestCase(Gate.Additive, "a0.h0->logits", -G / 2)]
    [TestCase(Gate.Additive, "a0.h0->m0", 0.0)]
    [TestCase(Gate.Additive, "input->a0.h1<v>", -G / 2)]
    public void ExactPatchingOfOneEdgeIsAnalytic(Gate gate, string edge, double expected)
    {
        using var model = GateModels.TwoHeads(gate);
        using var context = Context(model);
        var ap = ExactEdgePatching.Attribute(context);
        var e = context.Graph.EdgeIndex(edge);
        AssertEvery(Enumerable.Range(0, context.Batch).Select(b => ap.Values[b, e]).ToArray(), expected, $"{model.Name} {edge}");
        AssertEvery(Patched(context, edge), expected, $"{model.Name} {edge}, dense θ");
    }

    /// <summary>Edges together: an OR's input alone (both its out-edges) does nothing, both inputs lose the gap; an AND's two gate edges lose it as one does.</summary>
    [Test]
    public void EdgesTogetherAreTheGatesOwnLogic()
    {
        using var or = GateModels.TwoHeads(Gate.Or);
        using var orContext = Context(or);
        AssertEvery(Patched(orContext, "a0.h0->m0", "a0.h0->logits"), 0, "OR, one input's out-edges");
        AssertEvery(Patched(orContext, "a0.h0->m0", "a0.h0->logits", "a0.h1->m0", "a0.h1->logits"), -G, "OR, both inputs' out-edges");
        using var and = GateModels.TwoHeads(Gate.And);
        using var andContext = Context(and);
        AssertEvery(Patched(andContext, "a0.h0->m0", "a0.h1->m0"), -G, "AND, both gate edges");
    }

    /// <summary>
    /// IG at edges sums to the gap on every gate (completeness), and on the AND's serial path
    /// input → a0.h0&lt;v&gt; → m0 → logits it gives each edge less than AP's whole −G: the path's effect is shared.
    /// </summary>
    [TestCase(Gate.And)]
    [TestCase(Gate.Or)]
    [TestCase(Gate.Additive)]
    public void EdgeIgSumsToTheGapAndSharesASerialPath(Gate gate)
    {
        using var model = GateModels.TwoHeads(gate);
        using var context = Context(model);
        var ig = EdgeIntegratedGradients.Attribute(context, tolerance: 1e-9);
        Assert.That(ig.Completeness!.Converged, Is.True, ig.Completeness.Stopped);
        for (int b = 0; b < context.Batch; b++)
            Assert.That(Enumerable.Range(0, context.Graph.EdgeCount).Sum(e => ig.Values[b, e]), Is.EqualTo(-G).Within(1e-8), $"{model.Name}, prompt {b}");
        if (gate != Gate.And) return;
        var path = new[] { "input->a0.h0<v>", "a0.h0->m0", "m0->logits" }.Select(context.Graph.EdgeIndex).ToArray();
        for (int b = 0; b < context.Batch; b++)
            foreach (var e in path)
            {
                Assert.That(ig.Values[b, e], Is.LessThan(0), context.Graph[e].Name);
                Assert.That(ig.Values[b, e], Is.GreaterThan(-G + 1e-3), $"{context.Graph[e].Name}: IG shares the path, AP gives it all ({-G})");
            }
    }
}
