using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Edges;
using Concord.Model;
using Concord.Model.Edges;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>
/// Edges on the bundled model (float64): exact patching and EAP of every edge, the strongest edges
/// pinned, and the identity that holds on any model: patching all of a node's out-edges at once is
/// patching the node, so it equals the node AP the same study computed.
/// </summary>
public abstract partial class TaskAgreementFixture
{
    /// <summary>Exact patching (the reference) and EAP (its first-order estimate); IG, EAP-IG and the circuits are tested on small models, where they cost seconds.</summary>
    private static EdgeOptions FixtureEdges => new() { Methods = [EdgeMethod.Ap, EdgeMethod.Eap], Faithfulness = false };

    /// <summary>The strongest edges by |prompt-mean AP| that the table pins (of 1,519).</summary>
    private const int PinnedEdges = 25;

    protected TaskEdges Edges { get; private set; } = null!;

    [Test]
    public void EdgeTableMatchesSnapshot()
    {
        var ap = Edges.Scores[ExactEdgePatching.Id].Mean();
        var eap = Edges.Scores[EdgeAttributionPatching.Id].Mean();
        var lines = Enumerable.Range(0, Edges.Graph.EdgeCount).OrderByDescending(e => Math.Abs(ap[e])).ThenBy(e => e).Take(PinnedEdges)
            .Select(e => $"{Edges.Graph[e].Name,-18} ap {Significant(ap[e]),13} eap {Significant(eap[e]),13}").ToList();
        PinnedTable.Match(lines, Name("edges"), absolute: ScoreRoundOff, relative: SixDigits);
    }

    /// <summary>
    /// θ = 1 on every out-edge of a head or MLP layer is that node's AP: the same numbers by two
    /// mechanisms (the edge run's per-receiver inputs, and the node pass's patched activation), to
    /// float64 round-off of the metric (<see cref="ScoreRoundOff"/>, scaled by the prompts' mean).
    /// </summary>
    [Test]
    public void EveryNodesOutEdgesTogetherAreItsAp()
    {
        using var model = HookedGpt2.Load(TestModels.TaskModelFolder, ScalarType.Float64);
        var rows = Analysis.Result.Batches.SelectMany(b => b.Rows).ToHashSet();
        var examples = Dataset.Examples.Where(e => rows.Contains(e.Row)).ToList();
        using var batch = TaskBatch.Create(Dataset, examples, new TaskResources().Tokenizer, ScalarType.Float64, model.Device);
        using var context = EdgeContext.Create(model, batch.Clean, batch.Corrupted, batch.Metric);
        var graph = context.Graph;
        var heads = Analysis.MeanScores(Method.Ap, TargetSpace.Head);
        var mlps = Analysis.MeanScores(Method.Ap, TargetSpace.Mlp);
        for (int sender = 1; sender < graph.Senders.Count; sender++)
        {
            var node = graph.Senders[sender];
            double expected = node.Kind == SenderKind.Head ? heads[new Target(node.Layer, TargetSpace.Head, node.Head)] : mlps[new Target(node.Layer, TargetSpace.Mlp, 0)];
            using var theta = graph.Mask(graph.EdgesOutOf(sender), ScalarType.Float64).unsqueeze(0);
            double patched = context.Metric(new EdgeMask.Dense(theta), 1).Zip(context.BaseMetric, (m, f) => m - f).Average();
            Assert.That(patched, Is.EqualTo(expected).Within(ScoreRoundOff), node.Name);
        }
    }
}
