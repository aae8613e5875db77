using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Model;
using Concord.Tests.Correctness.Methods;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Interventions;

/// <summary>
/// The intervention engine against its definitions: a one-component resample is AP, a whole layer
/// resampled is F(a') − F(a) at that hook, and any set under any ablation equals a full forward pass
/// whose hooks were written here by hand (the independent reference, no stacking, no prefix, no run-from-hook).
/// </summary>
[TestFixture]
public class InterventionTests
{
    // float64: the engine and the references do the same operations, in a different stacking and
    // start point; differences are summation-order round-off, ~1e-15 per operation through <= 3 layers.
    private const double Float64Tol = 1e-12;
    private static readonly TargetSpace[] Kinds = [TargetSpace.Head, TargetSpace.Neuron, TargetSpace.Mlp];

    private static Arbitrary<int> Seeds => Gen.Choose(0, 1_000_000).ToArbitrary();

    /// <summary>E({c}) under resample = AP_c, in both directions and per position.</summary>
    [FsCheck.NUnit.Property(MaxTest = 10)]
    public Property ResamplingOneComponentIsActivationPatching() => Prop.ForAll(Seeds, seed =>
    {
        using var scenario = Scenario.Create(seed);
        var random = new Random(seed);
        var options = new AttributionOptions { Direction = random.Next(2) == 0 ? Direction.Noising : Direction.Denoising, PerPosition = random.Next(3) == 0 };
        using var context = scenario.Context(options);
        foreach (var kind in Kinds)
            for (int l = 0; l < scenario.Config.NLayer; l++)
            {
                var ap = ActivationPatching.Layer(context, kind, l).Scores;
                var rows = Enumerable.Range(0, context.Batch).SelectMany(p => ap.Targets.Select(c => new InterventionRow(p, [c]))).ToList();
                var effects = Intervention.Effects(context, kind, rows, Ablation.Resample);
                for (int i = 0; i < rows.Count; i++)
                {
                    int slot = i % ap.Targets.Count;
                    Assert.That(effects[i], Is.EqualTo(ap[rows[i].Prompt, slot]).Within(Float64Tol),
                        $"{scenario}, {options.Direction.Id()}, prompt {rows[i].Prompt}, {ap.Targets[slot]}");
                }
            }
    });

    /// <summary>Every component of one layer resampled at once puts a' at that hook: E = F(a') − F(a).</summary>
    [FsCheck.NUnit.Property(MaxTest = 8)]
    public Property ResamplingAWholeLayerIsTheFullEffectAtItsHook() => Prop.ForAll(Seeds, seed =>
    {
        using var scenario = Scenario.Create(seed);
        using var context = scenario.Context();
        foreach (var kind in Kinds)
        {
            var layout = new ComponentLayout(kind, scenario.Config);
            for (int l = 0; l < scenario.Config.NLayer; l++)
            {
                var layer = Enumerable.Range(0, layout.ComponentsPerPosition).Select(i => new Target(l, kind, i)).ToList();
                var effects = Intervention.Effects(context, kind, Enumerable.Range(0, context.Batch).Select(p => new InterventionRow(p, layer)).ToList(), Ablation.Resample);
                var full = (context.MetricFrom(layout, l, context.OtherActivation(layout, l), 1) - context.BaseMetric).ToDoubles();
                for (int p = 0; p < context.Batch; p++)
                    Assert.That(effects[p], Is.EqualTo(full[p]).Within(Float64Tol), $"{scenario}, {kind.Id()} layer {l}, prompt {p}");
            }
        }
    });

    /// <summary>
    /// Random sets spanning layers (per-position members included), under every ablation, equal a
    /// full forward pass whose hooks replace each member by hand: every member is replaced, not only
    /// the last (the original study's closure bug), and the stacking, chunking and prefix reuse change nothing.
    /// </summary>
    [FsCheck.NUnit.Property(MaxTest = 10)]
    public Property AnySetEqualsAFullRunWithEveryMemberReplacedByHand() => Prop.ForAll(Seeds, seed =>
    {
        using var scenario = Scenario.Create(seed, prompts: 3);
        var random = new Random(seed);
        // A budget of a few rows per chunk, so several chunks and start layers are exercised.
        var options = new AttributionOptions { MemoryBudgetBytes = 3 * AttributionContext.BytesPerRow(scenario.Config, ScalarType.Float64, scenario.Batch.Clean.Width, 0, false) };
        using var context = scenario.Context(options);
        foreach (var kind in Kinds)
        {
            var layout = new ComponentLayout(kind, scenario.Config);
            using var means = ComponentMeans.Of(scenario.Model, kind, [scenario.Batch.Clean]);
            var rows = new List<InterventionRow>();
            for (int r = 0; r < 6; r++)
            {
                var set = new HashSet<Target>();
                int size = random.Next(0, 4);
                for (int m = 0; m < size; m++)
                    set.Add(new Target(random.Next(scenario.Config.NLayer), kind, random.Next(layout.ComponentsPerPosition),
                        random.Next(4) == 0 ? random.Next(scenario.Batch.Clean.Lengths.Min()) : null));
                rows.Add(new InterventionRow(random.Next(context.Batch), set.ToList()));
            }
            foreach (var ablation in Enum.GetValues<Ablation>())
            {
                var engine = Intervention.Metrics(context, kind, rows, ablation, means);
                for (int i = 0; i < rows.Count; i++)
                {
                    double expected = ByHand(scenario, context, layout, rows[i], ablation, means);
                    Assert.That(engine[i], Is.EqualTo(expected).Within(Float64Tol),
                        $"{scenario}, {kind.Id()} {ablation.Id()}, prompt {rows[i].Prompt}, set {{{string.Join(", ", rows[i].Set)}}}");
                }
            }
        }
    });

    /// <summary>Mean ablation puts in the mean over real positions only: a pad-heavy batch gives the same means as its prompts one by one pooled.</summary>
    [Test]
    public void MeansPoolRealPositionsAndIgnorePads()
    {
        using var scenario = Scenario.Create(5, prompts: 3);
        var clean = scenario.Batch.Clean;
        using var all = ComponentMeans.Of(scenario.Model, TargetSpace.Mlp, [clean]);
        var single = Enumerable.Range(0, clean.Count)
            .Select(i => TokenBatch.FromIds([clean.Tokens[i, ..clean.Lengths[i]].ToDoubles().Select(v => (int)v).ToArray()])).ToList();
        using var oneByOne = ComponentMeans.Of(scenario.Model, TargetSpace.Mlp, single);
        Assert.That(all.Positions, Is.EqualTo(clean.Lengths.Sum()));
        for (int l = 0; l < scenario.Config.NLayer; l++)
        {
            var a = all.At(l).ToDoubles();
            var b = oneByOne.At(l).ToDoubles();
            for (int j = 0; j < a.Length; j++) Assert.That(a[j], Is.EqualTo(b[j]).Within(Float64Tol), $"layer {l} element {j}");
        }
        foreach (var s in single) s.Dispose();
    }

    [Test]
    public void MeanAblationWithoutMeansAndForeignComponentsAreRefused()
    {
        using var scenario = Scenario.Create(2, prompts: 2);
        using var context = scenario.Context();
        var head = new Target(0, TargetSpace.Head, 0);
        Assert.Throws<ArgumentNullException>(() => Intervention.Metrics(context, TargetSpace.Head, [new InterventionRow(0, [head])], Ablation.Mean));
        var ex = Assert.Throws<ArgumentException>(() => Intervention.Metrics(context, TargetSpace.Neuron, [new InterventionRow(0, [head])], Ablation.Zero));
        Assert.That(ex!.Message, Does.Contain("L0H0"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Intervention.Metrics(context, TargetSpace.Head, [new InterventionRow(5, [head])], Ablation.Zero));
    }

    /// <summary>The reference: the base run from the tokens with a hand-written hook per touched layer.</summary>
    private static double ByHand(Scenario scenario, AttributionContext context, ComponentLayout layout, InterventionRow row, Ablation ablation, ComponentMeans means)
    {
        using var scope = NewDisposeScope();
        int p = row.Prompt;
        var tokens = context.BaseTokens.Tokens[p..(p + 1)];
        var hooks = new HookSet();
        foreach (var layer in row.Set.Select(c => c.Layer).Distinct())
        {
            var members = row.Set.Where(c => c.Layer == layer).ToList();
            var other = layout.Grouped(context.OtherActivation(layout, layer))[p..(p + 1)];
            hooks.Add(layout.Hook(layer), (v, _) =>
            {
                var g = layout.Grouped(v).clone();
                foreach (var c in members)
                {
                    var positions = c.Position is int only ? [only] : Enumerable.Range(0, (int)g.shape[1]).ToArray();
                    foreach (var pos in positions)
                        g[0, pos, c.Index] = ablation switch
                        {
                            Ablation.Resample => other[0, pos, c.Index],
                            Ablation.Mean => means.At(layer)[c.Index],
                            _ => zeros_like(g[0, pos, c.Index]),
                        };
                }
                return g.reshape(v.shape);
            });
        }
        var logits = scenario.Model.Run(tokens, hooks, readPositions: context.BaseTokens.LastPositions[p..(p + 1)]);
        return context.Metric.Evaluate(logits, tensor(new long[] { p })).ToDoubles()[0];
    }
}
