using System.Globalization;
using System.Text.Json;
using Concord.Methods.Attribution;
using Concord.Methods.Edges;
using Concord.Methods.Verification;
using Concord.Model;
using Concord.Model.Edges;
using Concord.Studies.Outputs;
using Concord.Tests.Correctness.Methods;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Edges;

/// <summary>
/// Edge circuits: EAP-IG's pruning on hand-made edge sets and against reachability, MIB's sizes,
/// faithfulness at edges on float64 random models (exact at ∅ and full, equal to a θ built by hand),
/// and the circuit's JSON (round trip, EAP-IG's keys), DOT and PNG.
/// </summary>
[TestFixture]
public sealed class EdgeCircuitTests
{
    /// <summary>
    /// float64 round-off of one edge run of a d_model ≤ 12 model (as in <see cref="EdgeIdentityTests"/>):
    /// the same metric computed stacked or alone, or θ built two ways, differs by ~1e-15; 1e-10 leaves
    /// margin and is far below any effect of a wrong edge (~0.01–1).
    /// </summary>
    private const double RoundOff = 1e-10;

    private static readonly int[] Seeds = [1, 2, 3, 4, 5, 6];

    private static readonly EdgeGraph TwoByTwo = new(2, 2);

    private static EdgeCircuit Circuit(EdgeGraph graph, params string[] edges) => EdgeCircuit.Of(graph, edges.Select(graph.EdgeIndex));

    private static EdgeContext Context(Scenario s, long? memoryBudget = null) =>
        EdgeContext.Create(s.Model, s.Batch.Clean, s.Batch.Corrupted, s.Batch.Metric,
            memoryBudget is long bytes ? new AttributionOptions { MemoryBudgetBytes = bytes } : null);

    [Test]
    public void APathFromInputToLogitsSurvives()
    {
        var circuit = Circuit(TwoByTwo, "input->a0.h0<v>", "a0.h0->logits");
        Assert.That(circuit.EdgeNames(), Is.EquivalentTo(new[] { "input->a0.h0<v>", "a0.h0->logits" }));
        Assert.That(KeptNodes(circuit), Is.EquivalentTo(new[] { "input", "a0.h0", "logits" }));
    }

    /// <summary>A chain that never reaches the logits unravels from its end, one node per pass: only the fixed point removes it all.</summary>
    [Test]
    public void ADanglingChainIsRemoved()
    {
        var circuit = Circuit(TwoByTwo, "input->a0.h1<q>", "a0.h1->m0", "m0->a1.h0<k>", "input->a0.h0<v>", "a0.h0->logits");
        Assert.That(circuit.Requested, Is.EqualTo(5));
        Assert.That(circuit.EdgeNames(), Is.EquivalentTo(new[] { "input->a0.h0<v>", "a0.h0->logits" }));
        Assert.That(KeptNodes(circuit), Is.EquivalentTo(new[] { "input", "a0.h0", "logits" }));
    }

    /// <summary>A sender nothing in the circuit feeds is cut with its out-edges, upward as far as it reaches.</summary>
    [Test]
    public void AChainWithoutInputsIsRemoved()
    {
        var circuit = Circuit(TwoByTwo, "a0.h1->m0", "m0->a1.h1<q>", "a1.h1->logits", "input->logits");
        Assert.That(circuit.EdgeNames(), Is.EquivalentTo(new[] { "input->logits" }));
        Assert.That(KeptNodes(circuit), Is.EquivalentTo(new[] { "input", "logits" }));
    }

    [Test]
    public void TheLogitsStayWhenNothingElseDoes()
    {
        var circuit = Circuit(TwoByTwo, "a0.h0->m0");
        Assert.That(circuit.EdgeCount, Is.Zero);
        Assert.That(KeptNodes(circuit), Is.EqualTo(new[] { "logits" }));
    }

    /// <summary>
    /// On any edge set, pruning keeps exactly the edges u → v with u reachable from the input and v's
    /// node reaching the logits (both through the chosen edges): a reference by two graph searches
    /// instead of the fixed point, on random subsets of every density.
    /// </summary>
    [Test]
    public void PruningKeepsExactlyTheEdgesOnAPathFromInputToLogits()
    {
        var random = new Random(7);
        foreach (var (layers, heads) in new[] { (1, 1), (2, 2), (3, 2), (2, 3), (4, 4) })
        {
            var graph = new EdgeGraph(layers, heads);
            for (int trial = 0; trial < 60; trial++)
            {
                double density = random.NextDouble() * random.NextDouble();
                var chosen = Enumerable.Range(0, graph.EdgeCount).Where(_ => random.NextDouble() < density).ToArray();
                var circuit = EdgeCircuit.Of(graph, chosen);
                var expected = OnAPath(graph, chosen);
                Assert.That(circuit.Edges, Is.EqualTo(expected), $"{layers}×{heads}, density {density:F3}");
                Assert.That(EdgeCircuit.Of(graph, circuit.Edges).Edges, Is.EqualTo(circuit.Edges), "pruning a pruned circuit changes nothing");
            }
        }
    }

    [Test]
    public void EveryCircuitSizeKeepsAtMostTheEdgesAskedForAndOneHundredPercentKeepsEvery()
    {
        var graph = new EdgeGraph(3, 4);
        var random = new Random(3);
        for (int trial = 0; trial < 5; trial++)
        {
            var scores = Enumerable.Range(0, graph.EdgeCount).Select(_ => random.NextDouble() - 0.5).ToArray();
            var order = EdgeCircuit.Order(scores, RankingKind.Signed, Direction.Noising);
            int previous = 0;
            foreach (double percent in EdgeCircuit.Percentages)
            {
                var circuit = EdgeCircuit.Top(graph, order, EdgeCircuit.Size(graph, percent));
                Assert.That(circuit.Requested, Is.EqualTo((int)Math.Ceiling(percent / 100 * graph.EdgeCount - 1e-9)), $"{percent} %");
                Assert.That(circuit.EdgeCount, Is.LessThanOrEqualTo(circuit.Requested), $"{percent} %");
                Assert.That(circuit.EdgeCount, Is.GreaterThanOrEqualTo(previous), "nested top-k sets never lose edges to pruning");
                previous = circuit.EdgeCount;
            }
            var all = EdgeCircuit.Top(graph, order, EdgeCircuit.Size(graph, 100));
            Assert.That(all.EdgeCount, Is.EqualTo(graph.EdgeCount));
            Assert.That(all.NodesInGraph, Has.All.True);
        }
        Assert.That(EdgeCircuit.Size(graph, 0), Is.Zero);
        Assert.That(EdgeCircuit.Percentages, Is.EqualTo(new[] { 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100 }));
    }

    /// <summary>The node circuits' convention: −score first when noising, +score when denoising, |score| for the absolute ranking; ties by edge index.</summary>
    [Test]
    public void RankingIsTheNodeCircuitsConventionWithTiesByEdgeIndex()
    {
        double[] scores = [0.5, -2, 0.5, 3, -2, 0];
        Assert.That(EdgeCircuit.Order(scores, RankingKind.Signed, Direction.Noising), Is.EqualTo(new[] { 1, 4, 5, 0, 2, 3 }));
        Assert.That(EdgeCircuit.Order(scores, RankingKind.Signed, Direction.Denoising), Is.EqualTo(new[] { 3, 0, 2, 5, 1, 4 }));
        Assert.That(EdgeCircuit.Order(scores, RankingKind.Absolute, Direction.Noising), Is.EqualTo(new[] { 3, 1, 4, 0, 2, 5 }));
    }

    /// <summary>Trapezoids over the real share from (0, 0) to (1, 1); the values are dyadic, so the areas are exact.</summary>
    [Test]
    public void CprAndCmdAreTrapezoidsOverTheRealShare()
    {
        var curve = EdgeFaithfulness.Summarise("x", RankingKind.Signed, [new EdgeCircuitRow(10, 4, 2, 0.25, 1)], 8);
        Assert.That(curve.Cpr, Is.EqualTo(0.25 * (0 + 1) / 2 + 0.75 * (1 + 1) / 2));
        Assert.That(curve.Cmd, Is.EqualTo(0.25 * (1 + 0) / 2 + 0.75 * (0 + 0) / 2));
        var overshoot = EdgeFaithfulness.Summarise("x", RankingKind.Signed, [new EdgeCircuitRow(10, 4, 4, 0.5, 1.5)], 8);
        Assert.That(overshoot.Cpr, Is.EqualTo(0.5 * (0 + 1.5) / 2 + 0.5 * (1.5 + 1) / 2));
        Assert.That(overshoot.Cmd, Is.EqualTo(0.5 * (1 + 0.5) / 2 + 0.5 * (0.5 + 0) / 2), "|1 − f| counts overshoot as missing");
    }

    /// <summary>
    /// CPR's interval resamples the prompts and nothing else: prompts that differ give a spread, the
    /// same prompt repeated gives exactly [CPR, CPR] (every resample is the sample), and no resamples give none.
    /// </summary>
    [Test]
    public void CprIntervalResamplesThePromptsAndCollapsesWhenEveryPromptIsTheSame()
    {
        var graph = EdgeGraph.Of(new Gpt2Config(NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: Scenario.Vocab));
        var scores = Enumerable.Range(0, graph.EdgeCount).Select(e => (double)(e * 37 % 11) - 5).ToList();
        var plan = EdgeFaithfulnessPlan.Of(graph, Direction.Noising, [("ap", scores)], randomRankings: 0, percentages: [10, 20, 50]);
        const int prompts = 6;
        var generator = new Random(3);
        var full = Enumerable.Range(0, prompts).Select(p => 2 + 0.1 * p).ToArray();
        var empty = Enumerable.Range(0, prompts).Select(p => -1 - 0.2 * p).ToArray();
        var metrics = new double[plan.ToRun.Count, prompts];
        for (int c = 0; c < plan.ToRun.Count; c++)
            for (int p = 0; p < prompts; p++) metrics[c, p] = empty[p] + (full[p] - empty[p]) * generator.NextDouble();

        var spread = EdgeFaithfulness.Evaluate(plan, metrics, full, empty, bootstrapSamples: 200, seed: 1);
        Assert.That(spread.Curves, Is.Not.Empty);
        foreach (var c in spread.Curves)
        {
            Assert.That(c.CprInterval, Is.Not.Null, c.Method);
            Assert.That(c.CprInterval!.Value.High - c.CprInterval.Value.Low, Is.GreaterThan(1e-3), $"{c.Method} {c.Ranking}: prompts that differ spread the resamples");
        }

        for (int c = 0; c < plan.ToRun.Count; c++)
            for (int p = 1; p < prompts; p++) metrics[c, p] = metrics[c, 0];
        var same = EdgeFaithfulness.Evaluate(plan, metrics, Enumerable.Repeat(full[0], prompts).ToArray(), Enumerable.Repeat(empty[0], prompts).ToArray(), bootstrapSamples: 200, seed: 1);
        foreach (var c in same.Curves)
        {
            Assert.That(c.CprInterval!.Value.Low, Is.EqualTo(c.Cpr).Within(1e-12), $"{c.Method} {c.Ranking}");
            Assert.That(c.CprInterval.Value.High, Is.EqualTo(c.Cpr).Within(1e-12), $"{c.Method} {c.Ranking}");
        }
        Assert.That(EdgeFaithfulness.Evaluate(plan, metrics, full, empty, bootstrapSamples: 0).Curves.All(c => c.CprInterval is null), Is.True);
    }

    /// <summary>
    /// k = 0 and k = 100 % are m(∅) and m(full) themselves, so f is 0 and 1 with no round-off; and
    /// those two numbers are what explicit runs give (θ = 1 everywhere, θ = 0) to round-off.
    /// </summary>
    [TestCaseSource(nameof(Seeds))]
    public void TheEmptyCircuitIsZeroAndTheFullOneExactly(int seed)
    {
        using var s = Scenario.Create(seed);
        using var context = Context(s);
        var graph = context.Graph;
        var result = EdgeFaithfulness.Evaluate(context, [ExactEdgePatching.Attribute(context)], randomRankings: 1, percentages: [0, 50, 100]);
        Assume.That(result.Undefined, Is.Null, s.ToString());
        foreach (var curve in result.Curves.Append(result.Random!.Curves[0]))
        {
            Assert.That(curve.Rows[0].EdgeCount, Is.Zero);
            Assert.That(curve.Rows[0].Faithfulness, Is.EqualTo(0.0), $"{curve.Method} {curve.Ranking}");
            Assert.That(curve.Rows[^1].EdgeCount, Is.EqualTo(graph.EdgeCount));
            Assert.That(curve.Rows[^1].Faithfulness, Is.EqualTo(1.0), $"{curve.Method} {curve.Ranking}");
        }
        var explicitRuns = EdgeFaithfulness.CircuitMetrics(context, [EdgeCircuit.Of(graph, []), EdgeCircuit.Of(graph, Enumerable.Range(0, graph.EdgeCount))]);
        for (int b = 0; b < context.Batch; b++)
        {
            Assert.That(explicitRuns[0, b], Is.EqualTo(context.EndMetric[b]).Within(RoundOff), $"m(∅), prompt {b}");
            Assert.That(explicitRuns[1, b], Is.EqualTo(context.BaseMetric[b]).Within(RoundOff), $"m(full), prompt {b}");
        }
    }

    /// <summary>
    /// f at one k of exact AP's signed ranking against an evaluation written here: the ranking sorted
    /// by hand, pruned by reachability, θ [S, R] filled sender by receiver, and m(∅), m(full) from
    /// their own runs. f divides round-off by m̄(full) − m̄(∅), hence the tolerance RoundOff / |span|.
    /// </summary>
    [TestCaseSource(nameof(Seeds))]
    public void FaithfulnessOfTheApRankingEqualsAHandBuiltTheta(int seed)
    {
        using var s = Scenario.Create(seed, config: new Gpt2Config(NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: Scenario.Vocab));
        using var context = Context(s);
        var graph = context.Graph;
        var mean = ExactEdgePatching.Attribute(context).Mean();
        const double percent = 20;
        var result = EdgeFaithfulness.Evaluate(context, [("ap", mean)], randomRankings: 0, percentages: [percent]);
        Assume.That(result.Undefined, Is.Null, s.ToString());
        var row = result.Curves.Single(c => c.Ranking == RankingKind.Signed).Rows.Single();

        int size = (int)Math.Ceiling(percent / 100 * graph.EdgeCount);
        var top = Enumerable.Range(0, graph.EdgeCount).OrderBy(e => mean[e]).ThenBy(e => e).Take(size).ToArray();
        var kept = OnAPath(graph, top).ToHashSet();
        Assert.That(row.EdgeCount, Is.EqualTo(kept.Count));
        Assert.That(row.Requested, Is.EqualTo(size));

        double MeanMetric(Func<int, int, bool> outside)
        {
            var theta = new double[graph.Senders.Count, graph.Receivers.Count];
            for (int r = 0; r < graph.Receivers.Count; r++)
                for (int u = 0; u < graph.Senders.Count; u++)
                    if (graph.Feeds(u, r) && outside(u, r)) theta[u, r] = 1;
            using var mask = tensor(theta, dtype: float64).unsqueeze(0);
            return context.Metric(new EdgeMask.Dense(mask), 1).Average();
        }
        double full = MeanMetric((_, _) => false), empty = MeanMetric((_, _) => true);
        double circuit = MeanMetric((u, r) => !kept.Contains(graph.EdgeIndex(u, r)));
        double span = full - empty;
        Assume.That(Math.Abs(span), Is.GreaterThan(1e-6), "f is a ratio over m̄(full) − m̄(∅)");
        Assert.That(row.Faithfulness, Is.EqualTo((circuit - empty) / span).Within(RoundOff / Math.Abs(span)), s.ToString());
    }

    /// <summary>Circuits run one per chunk (a budget of one row) give what one stacked run gives: stacking changes nothing but round-off.</summary>
    [TestCaseSource(nameof(Seeds))]
    public void ChunkingChangesNothing(int seed)
    {
        using var s = Scenario.Create(seed);
        using var stacked = Context(s);
        using var oneByOne = Context(s, memoryBudget: 1);
        Assert.That(EdgeFaithfulness.RowsPerChunk(oneByOne), Is.EqualTo(1));
        var mean = ExactEdgePatching.Attribute(stacked).Mean();
        var a = EdgeFaithfulness.Evaluate(stacked, [("ap", mean)], randomRankings: 2, seed: 11);
        var b = EdgeFaithfulness.Evaluate(oneByOne, [("ap", mean)], randomRankings: 2, seed: 11);
        Assume.That(a.Undefined, Is.Null, s.ToString());
        var curvesA = a.Curves.Concat(a.Random!.Curves).ToList();
        var curvesB = b.Curves.Concat(b.Random!.Curves).ToList();
        Assert.That(curvesB, Has.Count.EqualTo(curvesA.Count));
        double span = Math.Abs(a.MetricFull - a.MetricEmpty);
        for (int c = 0; c < curvesA.Count; c++)
            for (int k = 0; k < curvesA[c].Rows.Count; k++)
            {
                Assert.That(curvesB[c].Rows[k].EdgeCount, Is.EqualTo(curvesA[c].Rows[k].EdgeCount));
                Assert.That(curvesB[c].Rows[k].Faithfulness, Is.EqualTo(curvesA[c].Rows[k].Faithfulness).Within(RoundOff / span), $"{curvesA[c].Method}, k = {curvesA[c].Rows[k].RequestedPercent} %");
            }
        Assert.That(a.Random.Seeds, Is.EqualTo(new[] { 11, 12 }));
        Assert.That(a.Random.MeanCpr, Is.EqualTo(a.Random.Curves.Average(c => c.Cpr)));
    }

    [Test]
    public void TheJsonRoundTripsAndHasEapIgsKeys()
    {
        var graph = TwoByTwo;
        var config = new Gpt2Config(NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: Scenario.Vocab);
        var (circuit, scores) = RandomCircuit(graph, 5, 30);
        using var folder = TempFolder.Create("edge-json");
        string path = Path.Combine(folder.FullName, "graph.json");
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // A decimal comma would break the numbers if any were formatted by culture.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            EdgeGraphJson.Write(path, circuit, scores, config, Direction.Noising, task: "ioi", method: "ap");
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        var read = EdgeGraphJson.Read(path);
        Assert.That(read.Graph.Layers, Is.EqualTo(2));
        Assert.That(read.Graph.Heads, Is.EqualTo(2));
        Assert.That(read.DModel, Is.EqualTo(8));
        Assert.That(read.Scores, Is.EqualTo(scores), "every score bit for bit");
        Assert.That(read.InGraph, Is.EqualTo(circuit.InGraph));
        Assert.That(read.EdgeCount, Is.EqualTo(circuit.EdgeCount));
        Assert.That(read.ScoreSign, Is.EqualTo(EdgeGraphJson.ScoreSign(Direction.Noising)));
        Assert.That((read.Task, read.Method), Is.EqualTo(("ioi", "ap")));
        var names = CircuitNodes.Names(graph);
        Assert.That(read.Nodes.Keys, Is.EqualTo(new[] { "input", "a0.h0", "a0.h1", "m0", "a1.h0", "a1.h1", "m1", "logits" }));
        Assert.That(read.Nodes.Values, Is.EqualTo(circuit.NodesInGraph));
        Assert.That(read.Nodes["logits"], Is.True);

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "cfg", "nodes", "edges" }));
        var cfg = root.GetProperty("cfg");
        Assert.That(cfg.GetProperty("n_layers").GetInt32(), Is.EqualTo(2));
        Assert.That(cfg.GetProperty("n_heads").GetInt32(), Is.EqualTo(2));
        Assert.That(cfg.GetProperty("parallel_attn_mlp").GetBoolean(), Is.False);
        Assert.That(cfg.GetProperty("d_model").GetInt32(), Is.EqualTo(8));
        var edges = root.GetProperty("edges").EnumerateObject().ToList();
        Assert.That(edges, Has.Count.EqualTo(graph.EdgeCount));
        Assert.That(edges.Select(e => e.Name), Is.EquivalentTo(graph.EdgeNames()));
        Assert.That(edges.Count(e => e.Value.GetProperty("in_graph").GetBoolean()), Is.EqualTo(circuit.EdgeCount));
        Assert.That(edges.Select(e => e.Value.EnumerateObject().Select(p => p.Name).ToArray()), Has.All.EqualTo(new[] { "score", "in_graph" }));
    }

    /// <summary>EAP-IG's <c>from_model</c> order for one layer and one head, written out by hand from graph.py's loops.</summary>
    [Test]
    public void TheJsonListsEdgesInEapIgsOrder()
    {
        var graph = new EdgeGraph(1, 1);
        Assert.That(EdgeGraphJson.EapIgOrder(graph).Select(e => graph[e].Name), Is.EqualTo(new[]
        {
            "input->a0.h0<q>", "input->a0.h0<k>", "input->a0.h0<v>", "input->m0", "a0.h0->m0", "input->logits", "a0.h0->logits", "m0->logits",
        }));
        var large = new EdgeGraph(3, 4);
        Assert.That(EdgeGraphJson.EapIgOrder(large).Order(), Is.EqualTo(Enumerable.Range(0, large.EdgeCount)), "a permutation of every edge");
    }

    [Test]
    public void TheDotFileHasEveryCircuitEdgeOnce()
    {
        var graph = new EdgeGraph(3, 3);
        var (circuit, scores) = RandomCircuit(graph, 9, 40);
        Assume.That(circuit.EdgeCount, Is.GreaterThan(3));
        string dot = EdgeCircuitDot.Render(circuit, scores, "ioi: ap, k = 10 %");
        var lines = dot.Split('\n');
        Assert.That(lines.Count(l => l.Contains(" -> ", StringComparison.Ordinal)), Is.EqualTo(circuit.EdgeCount));
        foreach (int e in Enumerable.Range(0, graph.EdgeCount))
        {
            int occurrences = lines.Count(l => l.Contains($"tooltip=\"{graph[e].Name}\"", StringComparison.Ordinal));
            Assert.That(occurrences, Is.EqualTo(circuit.InGraph[e] ? 1 : 0), graph[e].Name);
        }
        Assert.That(dot, Does.StartWith("digraph circuit {"));
        Assert.That(dot.TrimEnd(), Does.EndWith("}"));
        Assert.That(dot, Does.Contain("rank=max; \"logits\""));
    }

    [Test]
    public void ThePngIsWritten()
    {
        var graph = new EdgeGraph(3, 3);
        var (circuit, scores) = RandomCircuit(graph, 4, 40);
        using var folder = TempFolder.Create("edge-png");
        string path = Path.Combine(folder.FullName, "circuit.png");
        EdgeCircuitPlot.Write(path, circuit, scores, "ioi", "ap", 10);
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes.Length, Is.GreaterThan(1000));
        Assert.That(bytes[..4], Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
    }

    private static IEnumerable<string> KeptNodes(EdgeCircuit circuit) =>
        Enumerable.Range(0, circuit.NodesInGraph.Count).Where(n => circuit.NodesInGraph[n]).Select(n => CircuitNodes.Name(circuit.Graph, n));

    /// <summary>A circuit of the top <paramref name="percent"/> % of random scores (awkward doubles: thirds, tiny and huge magnitudes).</summary>
    private static (EdgeCircuit Circuit, double[] Scores) RandomCircuit(EdgeGraph graph, int seed, double percent)
    {
        var random = new Random(seed);
        var scores = Enumerable.Range(0, graph.EdgeCount).Select(e => (random.NextDouble() - 0.5) / 3 * Math.Pow(10, random.Next(-300, 300) / 100.0)).ToArray();
        scores[0] = 0.1 + 0.2;
        scores[1] = -double.Epsilon;
        var order = EdgeCircuit.Order(scores, RankingKind.Absolute, Direction.Noising);
        return (EdgeCircuit.Top(graph, order, EdgeCircuit.Size(graph, percent)), scores);
    }

    /// <summary>
    /// The chosen edges u → v with u reachable from the input and v's node reaching the logits, by
    /// a forward and a backward sweep over the graph's nodes in forward order (senders are numbered
    /// upstream first, so one sweep each way settles every node).
    /// </summary>
    private static int[] OnAPath(EdgeGraph graph, IReadOnlyCollection<int> chosen)
    {
        int nodes = graph.Senders.Count + 1, logits = graph.Senders.Count;
        int NodeOf(int receiver)
        {
            var r = graph.Receivers[receiver];
            return r.Kind switch
            {
                ReceiverKind.Logits => logits,
                ReceiverKind.Mlp => 1 + r.Layer * (graph.Heads + 1) + graph.Heads,
                _ => 1 + r.Layer * (graph.Heads + 1) + r.Head,
            };
        }
        var ends = chosen.Select(e => (Edge: e, From: graph.Ends(e).Sender, To: NodeOf(graph.Ends(e).Receiver))).ToList();
        var reached = new bool[nodes];
        reached[0] = true;
        foreach (var (_, from, to) in ends.OrderBy(x => x.From)) if (reached[from]) reached[to] = true;
        var reaches = new bool[nodes];
        reaches[logits] = true;
        foreach (var (_, from, to) in ends.OrderByDescending(x => x.To)) if (reaches[to]) reaches[from] = true;
        return ends.Where(x => reached[x.From] && reaches[x.To]).Select(x => x.Edge).Order().ToArray();
    }
}
