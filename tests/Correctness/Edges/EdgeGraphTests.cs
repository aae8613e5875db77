using Concord.Model;
using Concord.Model.Edges;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Edges;

/// <summary>The graph is EAP-IG's: its counts, names and numbering.</summary>
[TestFixture]
public sealed class EdgeGraphTests
{
    /// <summary>GPT-2 small has 32,491 edges in EAP-IG and MIB; concord-tasks-small (4 layers × 8 heads) 1,519.</summary>
    [TestCase(12, 12, 32_491)]
    [TestCase(4, 8, 1_519)]
    public void CountsAreTheFields(int layers, int heads, int edges)
    {
        Assert.That(new EdgeGraph(layers, heads).EdgeCount, Is.EqualTo(edges));
        Assert.That(EdgeGraph.CountFor(layers, heads), Is.EqualTo(edges));
    }

    [Test]
    public void CountFormulaHoldsForEveryShape()
    {
        for (int l = 1; l <= 5; l++)
            for (int h = 1; h <= 6; h++)
                Assert.That(new EdgeGraph(l, h).EdgeCount, Is.EqualTo(EdgeGraph.CountFor(l, h)), $"{l} layers, {h} heads");
    }

    [TestCase("input->a0.h1<q>")]
    [TestCase("a0.h1->m1")]
    [TestCase("a0.h1->m0")]
    [TestCase("m3->logits")]
    [TestCase("input->logits")]
    [TestCase("m2->a3.h7<v>")]
    public void EapIgNamesRoundTrip(string name)
    {
        var graph = new EdgeGraph(4, 8);
        Assert.That(graph[graph.EdgeIndex(name)].Name, Is.EqualTo(name));
    }

    [TestCase("a1.h0->a1.h2<q>", TestName = "A head does not feed its own layer's heads")]
    [TestCase("m1->m1", TestName = "An MLP does not feed itself")]
    [TestCase("a0.h9->m1", TestName = "No such head")]
    [TestCase("input-a0.h0<q>", TestName = "No arrow")]
    public void NonEdgesAreRefusedByName(string name) =>
        Assert.That(() => new EdgeGraph(4, 8).EdgeIndex(name), Throws.ArgumentException.With.Message.Contains("is not an edge"));

    [Test]
    public void EveryEdgeIsUpstreamToDownstreamAndNumberedReceiverByReceiver()
    {
        var graph = new EdgeGraph(3, 2);
        int previousReceiver = -1, previousSender = -1;
        for (int e = 0; e < graph.EdgeCount; e++)
        {
            var (s, r) = graph.Ends(e);
            Assert.That(graph.EdgeIndex(s, r), Is.EqualTo(e));
            var edge = graph[e];
            int senderLayer = edge.From.Kind == SenderKind.Input ? -1 : edge.From.Layer;
            int receiverLayer = edge.To.Kind == ReceiverKind.Logits ? graph.Layers : edge.To.Layer;
            bool sameLayerHeadIntoMlp = edge.From.Kind == SenderKind.Head && edge.To.Kind == ReceiverKind.Mlp && senderLayer == receiverLayer;
            Assert.That(senderLayer < receiverLayer || sameLayerHeadIntoMlp, Is.True, edge.Name);
            Assert.That(r > previousReceiver || (r == previousReceiver && s == previousSender + 1), Is.True, $"edge {e} out of order");
            (previousReceiver, previousSender) = (r, s);
        }
        Assert.That(graph.Edges.Select(x => x.Name).Distinct().Count(), Is.EqualTo(graph.EdgeCount));
    }

    [Test]
    public void AMasksOnesAreItsEdges()
    {
        var graph = new EdgeGraph(2, 3);
        var edges = new[] { graph.EdgeIndex("input->a0.h2<k>"), graph.EdgeIndex("a0.h1->m0"), graph.EdgeIndex("m1->logits") };
        using var mask = graph.Mask(edges, TorchSharp.torch.ScalarType.Float64);
        Assert.That(mask.sum().item<double>(), Is.EqualTo(3));
        foreach (var e in edges)
        {
            var (s, r) = graph.Ends(e);
            Assert.That(mask[s, r].item<double>(), Is.EqualTo(1));
        }
    }
}
