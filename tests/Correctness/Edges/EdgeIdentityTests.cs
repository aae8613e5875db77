using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Edges;
using Concord.Model;
using Concord.Model.Edges;
using Concord.Tasks;
using Concord.Tests.Correctness.Methods;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Edges;

/// <summary>
/// The edge run and the four edge methods against identities that hold exactly (float64, random
/// tiny models of 1–3 layers and 1–3 heads): θ = 0 is the model, θ = 1 is the other run, a node's
/// out-edges together are the node, exact patching equals both a hand-written forward and one full
/// edge run per edge, EAP is ∂F/∂θ at 0 and sums to node AtP, IG is complete.
/// </summary>
[TestFixture]
public sealed class EdgeIdentityTests
{
    /// <summary>
    /// float64 round-off through a few layers of a d_model ≤ 12 model with weights of std 0.4: the
    /// same quantity computed in two orders (split q/k/v inputs vs one ln_1, einsum vs matmul) differs
    /// by ~1e-15; 1e-10 leaves margin and fails on any wrong edge (effects are ~0.01–1).
    /// </summary>
    private const double RoundOff = 1e-10;

    private static readonly int[] Seeds = [1, 2, 3, 4, 5, 6];

    private static EdgeContext Context(Scenario s, Direction direction = Direction.Noising, EdgeAblation ablation = EdgeAblation.Resample, Tensor? means = null) =>
        EdgeContext.Create(s.Model, s.Batch.Clean, s.Batch.Corrupted, s.Batch.Metric, new AttributionOptions { Direction = direction }, ablation, means);

    private static Tensor Theta(EdgeGraph graph, IEnumerable<int> edges, HookedGpt2 model) => graph.Mask(edges, model.DType, model.Device).unsqueeze(0);

    [TestCaseSource(nameof(Seeds))]
    public void ThetaZeroIsTheModelAndThetaOneEverywhereIsTheOtherRun(int seed)
    {
        using var s = Scenario.Create(seed);
        using var context = Context(s);
        var clean = s.Batch.Clean;
        using var plain = s.Model.Run(clean.Tokens, readPositions: clean.LastPositions);
        using var zero = EdgeRun.Run(s.Model, clean.Tokens, clean.LastPositions, context.OtherSenders, EdgeMask.None(clean.Count, s.Model.DType, s.Model.Device));
        Assert.That((zero.Logits - plain).abs().max().item<double>(), Is.LessThan(RoundOff), s.ToString());

        var corrupted = s.Batch.Corrupted;
        using var other = s.Model.Run(corrupted.Tokens, readPositions: corrupted.LastPositions);
        var graph = context.Graph;
        using var all = EdgeRun.Run(s.Model, clean.Tokens, clean.LastPositions, context.OtherSenders,
            new EdgeMask.Dense(Theta(graph, Enumerable.Range(0, graph.EdgeCount), s.Model)));
        Assert.That((all.Logits - other).abs().max().item<double>(), Is.LessThan(RoundOff), "dense θ = 1");
        using var uniform = EdgeRun.Run(s.Model, clean.Tokens, clean.LastPositions, context.OtherSenders, new EdgeMask.Uniform(ones(clean.Count, dtype: float64)));
        Assert.That((uniform.Logits - other).abs().max().item<double>(), Is.LessThan(RoundOff), "uniform α = 1");
    }

    /// <summary>θ = 1 on every out-edge of a node is that node's AP: the sender replaced wherever it is read.</summary>
    [TestCaseSource(nameof(Seeds))]
    public void ANodesOutEdgesTogetherAreTheNode(int seed)
    {
        using var s = Scenario.Create(seed);
        using var edges = Context(s);
        using var nodes = AttributionContext.Create(s.Model, s.Batch, [TargetSpace.Head, TargetSpace.Mlp]);
        var graph = edges.Graph;
        var heads = new ActivationPatching().Attribute(nodes, TargetSpace.Head).Scores;
        var mlps = new ActivationPatching().Attribute(nodes, TargetSpace.Mlp).Scores;
        for (int sender = 1; sender < graph.Senders.Count; sender++)
        {
            var node = graph.Senders[sender];
            var component = node.Kind == SenderKind.Head ? new Target(node.Layer, TargetSpace.Head, node.Head) : new Target(node.Layer, TargetSpace.Mlp, 0);
            var ap = (node.Kind == SenderKind.Head ? heads : mlps).Select([component]);
            var patched = edges.Metric(new EdgeMask.Dense(Theta(graph, graph.EdgesOutOf(sender), s.Model)), 1);
            for (int b = 0; b < edges.Batch; b++)
                Assert.That(patched[b] - edges.BaseMetric[b], Is.EqualTo(ap[b, 0]).Within(RoundOff), $"{node.Name}, prompt {b}, {s}");
        }
    }

    /// <summary>Exact patching (one stacked run per receiver from its layer) equals one full edge run per edge with θ = 1 on it, and the naive mode (one hooked forward per edge), every edge, both directions.</summary>
    [TestCaseSource(nameof(Seeds))]
    public void ExactPatchingEqualsOneFullRunPerEdge(int seed)
    {
        using var s = Scenario.Create(seed);
        foreach (var direction in Enum.GetValues<Direction>())
        {
            using var context = Context(s, direction);
            var exact = ExactEdgePatching.Attribute(context);
            for (int e = 0; e < context.Graph.EdgeCount; e++)
            {
                // Two references: the edge run with θ = 1 on this edge alone, and the naive mode (a full forward with one hook).
                var dense = context.Metric(new EdgeMask.Dense(Theta(context.Graph, [e], s.Model)), 1);
                var naive = NaiveEdgeMethods.ExactPatching(context, e);
                for (int b = 0; b < context.Batch; b++)
                {
                    Assert.That(exact.Values[b, e], Is.EqualTo(dense[b] - context.BaseMetric[b]).Within(RoundOff), $"{context.Graph[e].Name}, prompt {b}, {direction}, {s}");
                    Assert.That(naive[b], Is.EqualTo(exact.Values[b, e]).Within(RoundOff), $"naive {context.Graph[e].Name}, prompt {b}, {direction}, {s}");
                }
            }
        }
    }

    /// <summary>
    /// Single-edge AP against the model's own forward with one hook written here: the receiver's input
    /// rebuilt with only that sender swapped, fed to that receiver alone (other readers of the sender untouched).
    /// </summary>
    [TestCaseSource(nameof(Seeds))]
    public void SingleEdgePatchingEqualsAHandWrittenForward(int seed)
    {
        using var s = Scenario.Create(seed, config: new Gpt2Config(NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: Scenario.Vocab));
        using var context = Context(s);
        var graph = context.Graph;
        var exact = ExactEdgePatching.Attribute(context);
        var model = s.Model;
        var clean = s.Batch.Clean;
        var delta = context.BaseDeltas();
        foreach (var name in new[] { "a0.h1->a1.h0<k>", "input->a1.h1<q>", "a0.h0->a1.h1<v>", "a0.h1->m0", "m0->m1", "a1.h0->logits", "input->logits" })
        {
            int e = graph.EdgeIndex(name);
            var (sender, receiver) = graph.Ends(e);
            var target = graph.Receivers[receiver];
            var d = delta[.., .., sender];
            var hooks = new HookSet();
            if (target.Kind == ReceiverKind.Head)
            {
                int l = target.Layer, h = target.Head, dh = model.Config.DHead;
                var w = model.Weights.Blocks[l];
                var (weight, bias, point) = target.Input switch
                {
                    ReceiverInput.Q => (w.WQ, w.BQ, HookPoint.Q(l)),
                    ReceiverInput.K => (w.WK, w.BK, HookPoint.K(l)),
                    _ => (w.WV, w.BV, HookPoint.V(l)),
                };
                var resid = context.Runs.BaseCache[HookPoint.ResidPre(l)];
                var ln = model.LayerNorm(resid + d, w.Ln1Weight, w.Ln1Bias);
                var head = ln.matmul(weight[.., (h * dh)..((h + 1) * dh)]) + bias[(h * dh)..((h + 1) * dh)];
                hooks.Add(point, (value, _) => { var v = value.clone(); v[.., .., h] = head; return v; });
            }
            else if (target.Kind == ReceiverKind.Mlp)
            {
                var w = model.Weights.Blocks[target.Layer];
                var x = context.Runs.BaseCache[HookPoint.ResidMid(target.Layer)] + d;
                hooks.Add(HookPoint.MlpIn(target.Layer), (_, _) => model.LayerNorm(x, w.Ln2Weight, w.Ln2Bias));
            }
            else
                hooks.Add(HookPoint.ResidPost(model.Config.NLayer - 1), (value, _) => value + d);
            using var logits = model.Run(clean.Tokens, hooks, readPositions: clean.LastPositions);
            var metric = s.Batch.Metric.EvaluateBatch(logits).ToDoubles();
            for (int b = 0; b < clean.Count; b++)
                Assert.That(exact.Values[b, e], Is.EqualTo(metric[b] - context.BaseMetric[b]).Within(RoundOff), $"{name}, prompt {b}");
        }
    }

    /// <summary>EAP is ∂F/∂θ_e at θ = 0: the same numbers from autograd through a dense θ.</summary>
    [TestCaseSource(nameof(Seeds))]
    public void EapIsTheThetaGradientAtZero(int seed)
    {
        using var s = Scenario.Create(seed);
        using var context = Context(s);
        var eap = EdgeAttributionPatching.Attribute(context);
        var graph = context.Graph;
        var clean = s.Batch.Clean;
        var theta = zeros(1, graph.Senders.Count, graph.Receivers.Count, dtype: float64).requires_grad_(true);
        using var run = EdgeRun.Run(s.Model, clean.Tokens, clean.LastPositions, context.OtherSenders, new EdgeMask.Dense(theta.expand(clean.Count, -1, -1)));
        var metric = s.Batch.Metric.EvaluateBatch(run.Logits);
        for (int b = 0; b < clean.Count; b++)
        {
            var gradient = torch.autograd.grad([metric[b]], [theta], retain_graph: true)[0]!;
            for (int e = 0; e < graph.EdgeCount; e++)
            {
                var (sender, receiver) = graph.Ends(e);
                Assert.That(eap.Values[b, e], Is.EqualTo(gradient[0, sender, receiver].item<double>()).Within(RoundOff), $"{graph[e].Name}, prompt {b}");
            }
        }
    }

    /// <summary>Σ_v EAP(u → v) is node AtP of u (heads scored at hook_z, MLP layers at hook_mlp_out): a sender's gradient is the sum of its readers'.</summary>
    [TestCaseSource(nameof(Seeds))]
    public void EapSummedOverReceiversIsNodeAtp(int seed)
    {
        using var s = Scenario.Create(seed);
        using var context = Context(s);
        var eap = EdgeAttributionPatching.Attribute(context);
        using var nodes = AttributionContext.Create(s.Model, s.Batch, [TargetSpace.Head, TargetSpace.Mlp]);
        var atp = new AttributionPatching([TargetSpace.Head, TargetSpace.Mlp]);
        var heads = atp.Attribute(nodes, TargetSpace.Head).Scores;
        var mlps = atp.Attribute(nodes, TargetSpace.Mlp).Scores;
        var graph = context.Graph;
        for (int sender = 1; sender < graph.Senders.Count; sender++)
        {
            var node = graph.Senders[sender];
            var component = node.Kind == SenderKind.Head ? new Target(node.Layer, TargetSpace.Head, node.Head) : new Target(node.Layer, TargetSpace.Mlp, 0);
            var expected = (node.Kind == SenderKind.Head ? heads : mlps).Select([component]);
            for (int b = 0; b < context.Batch; b++)
            {
                double sum = graph.EdgesOutOf(sender).Sum(e => eap.Values[b, e]);
                Assert.That(sum, Is.EqualTo(expected[b, 0]).Within(RoundOff), $"{node.Name}, prompt {b}, {s}");
            }
        }
    }

    /// <summary>Σ_e IG_e = F(1) − F(0) = m(other) − m(base), within the τ the rule was asked for, in both directions and under every ablation.</summary>
    [TestCaseSource(nameof(Seeds))]
    public void EdgeIgIsComplete(int seed)
    {
        const double tolerance = 1e-8;
        using var s = Scenario.Create(seed);
        using var means = EdgeContext.SenderMeans(s.Model, [s.Batch.Clean]);
        foreach (var (direction, ablation) in new[] { (Direction.Noising, EdgeAblation.Resample), (Direction.Denoising, EdgeAblation.Resample), (Direction.Noising, EdgeAblation.Mean), (Direction.Noising, EdgeAblation.Zero) })
        {
            using var context = Context(s, direction, ablation, means);
            var ig = EdgeIntegratedGradients.Attribute(context, tolerance);
            var check = ig.Completeness!;
            Assert.That(check.Converged, Is.True, check.Stopped);
            for (int b = 0; b < context.Batch; b++)
            {
                double sum = Enumerable.Range(0, context.Graph.EdgeCount).Sum(e => ig.Values[b, e]);
                double expected = context.EndMetric[b] - context.BaseMetric[b];
                Assert.That(sum, Is.EqualTo(expected).Within(tolerance * Math.Max(Math.Abs(expected), 1e-2) * 2 + RoundOff), $"{direction}, {ablation}, prompt {b}, {s}");
            }
        }
    }

    /// <summary>EAP-IG is the left Riemann sum of m steps of input interpolation: the same from one recorded run per step, written out here.</summary>
    [TestCase(1, 1)]
    [TestCase(2, 5)]
    [TestCase(3, 3)]
    public void EapIgIsTheLeftRiemannSumOfInputInterpolation(int seed, int steps)
    {
        using var s = Scenario.Create(seed);
        using var context = Context(s);
        var eapIg = EapIg.Attribute(context, steps);
        var clean = s.Batch.Clean;
        var eBase = context.Runs.BaseCache[HookPoint.Embed];
        var eOther = context.Runs.OtherCache[HookPoint.Embed];
        Tensor? sum = null;
        for (int k = 0; k < steps; k++)
        {
            // θ = 0 as a dense mask: every receiver's own input, differentiated directly (not pulled back through ln_1).
            var split = new EdgeMask.Dense(zeros(1, context.Graph.Senders.Count, context.Graph.Receivers.Count, dtype: float64));
            using var run = EdgeRun.Run(s.Model, clean.Tokens, clean.LastPositions, context.OtherSenders, split,
                embedding: eOther + (double)k / steps * (eBase - eOther), recordReceivers: true);
            var metric = s.Batch.Metric.EvaluateBatch(run.Logits).sum();
            var gradients = run.ReceiverGradients(metric);
            var scores = gradients.Scores(context.Graph, context.BaseDeltas());
            sum = sum is null ? scores : sum + scores;
        }
        var expected = EdgeScores.ToArray(sum! / steps);
        for (int b = 0; b < context.Batch; b++)
            for (int e = 0; e < context.Graph.EdgeCount; e++)
                Assert.That(eapIg.Values[b, e], Is.EqualTo(expected[b, e]).Within(RoundOff));
    }

    /// <summary>
    /// A uniform-θ run keeps its head receivers' gradients factored through ln_1 and summed over
    /// stacked repeats; expanded, and contracted with Δ, they equal the split-input run's gradients,
    /// which autograd takes at every receiver's own copy of the stream — at α = 0 and inside the path,
    /// over two repeats weighted unequally.
    /// </summary>
    [TestCaseSource(nameof(Seeds))]
    public void FactoredReceiverGradientsEqualTheSplitRunsGradients(int seed)
    {
        using var s = Scenario.Create(seed);
        using var context = Context(s);
        var clean = s.Batch.Clean;
        var graph = context.Graph;
        double[] alphas = [0, 0.37], weights = [0.25, 1.5];
        var tokens = clean.Tokens.RepeatAlongBatch(2);
        var positions = clean.LastPositions.repeat(2);
        var other = context.OtherRepeated(2);
        var alpha = tensor(alphas.SelectMany(a => Enumerable.Repeat(a, clean.Count)).ToArray(), dtype: float64);
        using var uniform = EdgeRun.Run(s.Model, tokens, positions, other, new EdgeMask.Uniform(alpha), recordReceivers: true);
        var byRepeat = uniform.Logits.view(2, clean.Count, -1);
        using var factored = uniform.ReceiverGradients(s.Batch.Metric.EvaluateBatch(byRepeat[0]).sum() + s.Batch.Metric.EvaluateBatch(byRepeat[1]).sum(), 2, weights);

        // The reference: one split-input run per α (θ = α on every pair), its gradients weighted and added.
        Tensor[]? expected = null;
        for (int k = 0; k < 2; k++)
        {
            var theta = full(1, graph.Senders.Count, graph.Receivers.Count, alphas[k], dtype: float64);
            using var split = EdgeRun.Run(s.Model, clean.Tokens, clean.LastPositions, context.OtherSenders, new EdgeMask.Dense(theta), recordReceivers: true);
            var dense = split.ReceiverGradients(s.Batch.Metric.EvaluateBatch(split.Logits).sum()).Dense().Select(g => g * weights[k]).ToArray();
            expected = expected is null ? dense : expected.Zip(dense, (a, b) => a + b).ToArray();
        }
        var actual = factored.Dense();
        Assert.That(actual, Has.Length.EqualTo(expected!.Length));
        for (int i = 0; i < actual.Length; i++)
            Assert.That((actual[i] - expected[i]).abs().max().item<double>(), Is.LessThan(RoundOff), $"receiver group {i}, {s}");

        // Contracted with Δ without expanding the heads' gradients: the same scores as the dense contraction.
        var deltas = context.BaseDeltas();
        var viaFactors = factored.Scores(graph, deltas);
        var viaDense = cat(expected, 2);
        var edges = Enumerable.Range(0, graph.EdgeCount).Select(e => graph.Ends(e)).ToList();
        for (int e = 0; e < edges.Count; e++)
        {
            var (sender, receiver) = edges[e];
            var dot = (deltas[.., .., sender] * viaDense[.., .., receiver]).sum([1, 2]);
            Assert.That((viaFactors[.., e] - dot).abs().max().item<double>(), Is.LessThan(RoundOff), $"edge {graph[e].Name}");
        }
    }

    /// <summary>The naive modes the benchmarks measure against compute the same numbers: EAP and EAP-IG scored edge by edge, EAP-IG one step at a time.</summary>
    [TestCaseSource(nameof(Seeds))]
    public void NaiveEapAndEapIgEqualTheContractions(int seed)
    {
        using var s = Scenario.Create(seed);
        using var context = Context(s);
        var pairs = new[]
        {
            (EdgeAttributionPatching.Attribute(context), NaiveEdgeMethods.Eap(context)),
            (EapIg.Attribute(context, 3), NaiveEdgeMethods.EapIg(context, 3)),
        };
        foreach (var (fast, naive) in pairs)
            for (int b = 0; b < context.Batch; b++)
                for (int e = 0; e < context.Graph.EdgeCount; e++)
                    Assert.That(naive.Values[b, e], Is.EqualTo(fast.Values[b, e]).Within(RoundOff), $"{fast.Method} {context.Graph[e].Name}, prompt {b}");
    }
}
