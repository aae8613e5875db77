using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Structure;
using Concord.Studies;
using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks;
using Concord.Tasks.Models;
using Concord.Tests.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Studies;

/// <summary>
/// `--direction both` as a study: each direction's units are its own (a noising-only study's are
/// reused), the noising tables are exactly a noising-only study's, the structure reads both
/// directions' scores by their definitions, and the second direction costs no more than the first.
/// </summary>
[TestFixture, NonParallelizable]
public class BothDirectionsTests
{
    /// <summary>float64 on the tiny model: the same computation twice agrees to round-off of float64 sums.</summary>
    private const double SameComputation = 1e-12;

    /// <summary>The target: both directions at most 2.1× one direction's cost (counted in stacked runs, which both directions share in kind).</summary>
    private const double CostRatioTarget = 2.1;

    private static StudyOptions Options(StructureOptions? structure) => new()
    {
        Tasks = [TaskKind.CapitalCountry],
        Examples = 4,
        Pipeline = new PipelineOptions
        {
            Methods = [Method.Ig, Method.Ap, Method.Atp],
            Spaces = [TargetSpace.Head, TargetSpace.Mlp],
            Ig = IgSettings.FixedNodes(8),
            SweepScales = [0.5],
            BatchSize = 2,
        },
        Structure = structure,
    };

    private static (HookedGpt2 Model, ResolvedModel Resolved) Tiny() => TestModels.LoadTiny(ScalarType.Float64);

    [Test]
    public void BothDirectionsReuseOneDirectionsUnitsAndAddTheOppositeAndTheStructure()
    {
        var (gpt, resolved) = Tiny();
        using var _ = gpt;
        var store = new MemoryUnitStore();
        var noisingOnly = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(null));
        var one = noisingOnly.Run(_ => store, UnitSelection.All).Tasks.Single();

        var bothStudy = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(new StructureOptions { Interactions = 4 }));
        var both = bothStudy.Run(_ => store, UnitSelection.All).Tasks.Single();

        Assert.That(bothStudy.Fingerprint, Is.Not.EqualTo(noisingOnly.Fingerprint), "a study in both directions is another study");
        Assert.That(both.ReusedUnits, Is.EqualTo(one.ComputedUnits), "every unit of the noising-only study is reused by key");
        // The opposite direction: no sweep; interactions: one unit per batch and kind.
        const int batches = 2;
        int oppositePerBatch = bothStudy.Options.Opposite!.UnitsPerBatch().Count;
        Assert.That(bothStudy.Options.Opposite!.UnitsPerBatch().OfType<SweepUnit>(), Is.Empty);
        Assert.That(both.ComputedUnits, Is.EqualTo(batches * oppositePerBatch + batches * 2));
        Assert.That(bothStudy.Tasks.Single().UnitCount, Is.EqualTo(noisingOnly.Tasks.Single().UnitCount + batches * oppositePerBatch + batches * 2));

        // The noising tables are the noising-only study's, number for number.
        var a = one.Analysis!.Agreements.SelectMany(p => p.AcrossPrompts.Values.Values.Select(s => s.Median)).ToList();
        var b = both.Analysis!.Agreements.SelectMany(p => p.AcrossPrompts.Values.Values.Select(s => s.Median)).ToList();
        Assert.That(b, Is.EqualTo(a));
        Assert.That(both.Opposite, Is.Not.Null);
        Assert.That(both.Opposite!.Result.Batches.Select(x => x.Rows), Is.EqualTo(both.Analysis.Result.Batches.Select(x => x.Rows)));
        Assert.That(both.Structure, Is.Not.Null);
        Assert.That(both.Structure!.Kinds.Select(k => k.Kind), Is.EqualTo(new[] { TargetSpace.Head, TargetSpace.Mlp }));
    }

    [Test]
    public void AsymmetryIsBothDirectionsScoresDividedByTheGap()
    {
        var (gpt, resolved) = Tiny();
        using var _ = gpt;
        var both = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(new StructureOptions { Interactions = 3 })).Run().Tasks.Single();
        var noised = both.Analysis!.Result;
        var denoised = both.Opposite!.Result;
        var gaps = noised.Batches.SelectMany(x => x.Metrics.Base.Zip(x.Metrics.Other, (clean, corrupted) => clean - corrupted)).ToArray();
        // Denoising's base run is the corrupted one: its metrics are the noising metrics swapped.
        var denoisingGaps = denoised.Batches.SelectMany(x => x.Metrics.Other.Zip(x.Metrics.Base, (clean, corrupted) => clean - corrupted)).ToArray();
        Assert.That(denoisingGaps, Is.EqualTo(gaps).Within(SameComputation));
        var kept = Asymmetry.KeptPrompts(gaps);
        var heads = both.Structure!.Kinds.Single(k => k.Kind == TargetSpace.Head);
        foreach (var method in new[] { Method.Ap, Method.Ig, Method.Atp })
        {
            var asymmetry = heads.Of(method)!;
            var noise = TaskScores.Stacked(noised, method, TargetSpace.Head, asymmetry.Components.Select(c => c.Target).ToList());
            var denoise = TaskScores.Stacked(denoised, method, TargetSpace.Head, asymmetry.Components.Select(c => c.Target).ToList());
            for (int j = 0; j < asymmetry.Components.Count; j++)
            {
                var n = kept.Select(p => -noise[p, j] / gaps[p]).Order().ToArray();
                var d = kept.Select(p => denoise[p, j] / gaps[p]).Order().ToArray();
                double Median(double[] v) => v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
                Assert.That(asymmetry.Components[j].Noise, Is.EqualTo(Median(n)).Within(SameComputation), $"{method.Id()} n of {asymmetry.Components[j].Target}");
                Assert.That(asymmetry.Components[j].Denoise, Is.EqualTo(Median(d)).Within(SameComputation), $"{method.Id()} d of {asymmetry.Components[j].Target}");
            }
        }
        // Interactions: the 3 components with the largest share by AP, every pair once.
        var largest = heads.Of(Method.Ap)!.Components.OrderByDescending(c => c.Largest).Take(3).Select(c => c.Target);
        Assert.That(heads.Interacting, Is.EquivalentTo(largest));
        Assert.That(heads.Pairs, Has.Count.EqualTo(3));
        Assert.That(heads.Pairs.Select(p => double.IsFinite(p.Interaction)), Has.All.True);
    }

    [Test]
    public void TheSecondDirectionCostsNoMoreThanTheFirst()
    {
        var (gpt, resolved) = Tiny();
        using var _ = gpt;
        var one = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(null) with { Pipeline = Options(null).Pipeline with { SweepScales = [] } }).Run().Tasks.Single();
        var both = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(new StructureOptions { Interactions = 0 }) with { Pipeline = Options(null).Pipeline with { SweepScales = [] } }).Run().Tasks.Single();
        long Runs(Concord.Studies.TaskOutcome t) => t.Costs.Values.Sum(c => c.Runs);
        double ratio = (double)Runs(both) / Runs(one);
        TestContext.Out.WriteLine($"stacked runs: noising {Runs(one)}, both directions {Runs(both)} (ratio {ratio:F3})");
        Assert.That(ratio, Is.LessThanOrEqualTo(CostRatioTarget));
        Assert.That(both.Structure!.Kinds.SelectMany(k => k.Pairs), Is.Empty, "--interactions 0 runs no pair");
    }
}
