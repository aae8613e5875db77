using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Studies;
using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks;
using Concord.Tasks.Models;
using Concord.Tests.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Studies;

/// <summary>Split IG as a study: refused without the adaptive rule and a fraction; read from IG's own integral, so it adds refinement, never a second integral.</summary>
[TestFixture, NonParallelizable]
public class SplitIgStudyTests
{
    /// <summary>
    /// A second integral would double IG's gradient evaluations; split IG adds only the refinement its
    /// split points need and one 4-node stretch per change of them (its search for the split point runs
    /// forwards of one batch, no gradient). On this tiny model each layer's IG needs 8 nodes (two
    /// pieces), so the one stretch alone makes 1.5×; the guard sits between that and a second integral.
    /// </summary>
    private const double MostExtraCost = 1.75;

    private static StudyOptions Options(IgSettings ig, params Method[] methods) => new()
    {
        Tasks = [TaskKind.CapitalCountry],
        Examples = 4,
        Pipeline = new PipelineOptions { Methods = methods, Spaces = [TargetSpace.Head, TargetSpace.Mlp], Ig = ig, BatchSize = 2 },
    };

    private static (HookedGpt2 Model, ResolvedModel Resolved) Tiny() => TestModels.LoadTiny(ScalarType.Float64);

    [Test]
    public void SplitIgNeedsTheAdaptiveRuleAndAFraction()
    {
        var (gpt, resolved) = Tiny();
        using var _ = gpt;
        var fixedRule = Assert.Throws<SettingException>(() => Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(IgSettings.FixedNodes(8), Method.Ig, Method.IgSplit)));
        Assert.That(fixedRule!.Message, Does.Contain("SplitIg needs the adaptive composite rule"));
        var noFraction = Assert.Throws<SettingException>(() => Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(IgSettings.Auto(1e-3), Method.Ig, Method.IgSplit)));
        Assert.That(noFraction!.Message, Does.Contain("SplitIg is not set"));
        var outside = Assert.Throws<SettingException>(() => Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(IgSettings.Auto(1e-3, split: 1.5), Method.Ig, Method.IgSplit)));
        Assert.That(outside!.Message, Does.Contain("outside (0, 1]"));
    }

    [Test]
    public void SplitIgAddsRefinementNotASecondIntegral()
    {
        var (gpt, resolved) = Tiny();
        using var _ = gpt;
        var plain = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(IgSettings.Auto(1e-4), Method.Ig)).Run().Tasks.Single();
        var split = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options(IgSettings.Auto(1e-4, split: 0.9), Method.Ig, Method.IgSplit)).Run().Tasks.Single();
        long Nodes(TaskOutcome t) => t.Costs.Values.Sum(c => c.IgNodes);
        long Runs(TaskOutcome t) => t.Costs.Values.Sum(c => c.Runs);
        double ratio = (double)Nodes(split) / Nodes(plain);
        TestContext.Out.WriteLine($"gradient evaluations: IG {Nodes(plain)}, IG and split IG {Nodes(split)} (ratio {ratio:F3}); stacked runs {Runs(plain)} and {Runs(split)}");
        Assert.That(ratio, Is.LessThanOrEqualTo(MostExtraCost));
        var verdicts = split.Analysis!.Verdicts;
        Assert.That(verdicts.Where(v => v.Method == Method.IgSplit).Select(v => v.Kind), Is.EquivalentTo(new[] { TargetSpace.Head, TargetSpace.Mlp }));
        Assert.That(verdicts, Has.All.Property(nameof(ConvergenceVerdict.Converged)).True, "float64 meets τ = 1e-4 at the whole path and at every split point");
    }
}
