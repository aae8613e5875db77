using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Methods;

/// <summary>
/// Methods and statistics are catalogues a study is given, not process-wide registries: what one
/// test adds is seen by that test's catalogue alone, and the built-in catalogues keep their ids,
/// order and fingerprints (unit keys and pinned tables depend on them).
/// </summary>
[TestFixture]
public class CatalogueTests
{
    // One id added by two tests: with a process-wide registry the second registration (whichever
    // test ran second) failed with "registered already", and every later test saw the method.
    private static Method Scratch() => new("scratch", "Scratch", (_, _) => throw new NotSupportedException("never run"));

    private static AgreementStatistic ScratchStatistic() => new("scratch", "scratch statistic", "scr", (x, _, _) => new StatisticValue(x.Count));

    [Test]
    public void AMethodAddedInOneTestIsNotSeenByTheBuiltInCatalogue()
    {
        var mine = MethodCatalogue.BuiltIn.With(Scratch());
        Assert.That(mine.Select(m => m.Id()), Is.EqualTo(new[] { "ig", "ap", "atp", "ig-split", "scratch" }));
        Assert.That(MethodCatalogue.BuiltIn.Select(m => m.Id()), Is.EqualTo(new[] { "ig", "ap", "atp", "ig-split" }));
        Assert.That(() => MethodCatalogue.BuiltIn.Parse("scratch"), Throws.ArgumentException.With.Message.Contains("unknown method 'scratch'"));
        Assert.That(new PipelineOptions().MethodCatalogue, Is.SameAs(MethodCatalogue.BuiltIn), "a study's default catalogue is the built-in one");
    }

    [Test]
    public void TheSameMethodIdAddedInAnotherTestIsItsOwn()
    {
        var mine = MethodCatalogue.BuiltIn.With(Scratch());
        Assert.That(mine.Parse("SCRATCH ").DisplayName, Is.EqualTo("Scratch"));
        Assert.That(mine.Reference, Is.SameAs(Method.Ap));
        Assert.That(() => mine.With(Scratch()), Throws.ArgumentException.With.Message.Contains("'scratch' is in the catalogue already"), "within one catalogue an id is still unique");
    }

    [Test]
    public void AStatisticAddedInOneTestIsNotComputedByAnother()
    {
        var mine = StatisticCatalogue.BuiltIn.With(ScratchStatistic());
        Assert.That(StatisticValues.Of([1, 2, 3], [1, 3, 2], statistics: mine).Values.Keys.Select(s => s.Id), Is.EqualTo(new[] { "pearson", "spearman", "kendall", "jaccard", "sign", "scratch" }));
        Assert.That(StatisticValues.Of([1, 2, 3], [1, 3, 2]).Values.Keys.Select(s => s.Id), Is.EqualTo(new[] { "pearson", "spearman", "kendall", "jaccard", "sign" }));
        Assert.That(StatisticCatalogue.BuiltIn.InSummary.Select(s => s.Id), Is.EqualTo(new[] { "pearson", "spearman", "kendall", "jaccard" }));
    }

    [Test]
    public void TheSameStatisticIdAddedInAnotherTestIsItsOwn()
    {
        var mine = StatisticCatalogue.BuiltIn.With(ScratchStatistic());
        var agreement = PairAgreement.Compute(Method.Ig, Method.Ap, [new(Scores(Method.Ig, [1, 2, 3]), Scores(Method.Ap, [1, 3, 2]), null, null)], TargetSpace.Head, statistics: mine);
        Assert.That(agreement.Pooled[mine.Last()].Value, Is.EqualTo(3));
        Assert.That(() => mine.With(ScratchStatistic()), Throws.ArgumentException);
    }

    /// <summary>The built-in methods' unit fingerprints, as resumed runs' keys were made from them.</summary>
    [Test]
    public void BuiltInFingerprintsAreUnchanged()
    {
        var options = new PipelineOptions { Ig = IgSettings.FixedNodes(9, QuadratureRule.Trapezoid), NeuronsPerLayer = 4, Seed = 7 };
        var texts = MethodCatalogue.BuiltIn.SelectMany(m => new[] { TargetSpace.Head, TargetSpace.Neuron }.Select(k => new MethodUnit(m, k).Fingerprint(options))).ToList();
        Assert.That(texts, Is.EqualTo(new[]
        {
            "ig-head|direction=noising|per-position=no|trapezoid/9;baseline=aligned", "ig-neuron|direction=noising|per-position=no|trapezoid/9;baseline=aligned",
            "ap-head|direction=noising|per-position=no", "ap-neuron|direction=noising|per-position=no|neurons=4;seed=7",
            "atp-head|direction=noising|per-position=no", "atp-neuron|direction=noising|per-position=no",
            "ig-split-head|direction=noising|per-position=no|trapezoid/9;baseline=aligned", "ig-split-neuron|direction=noising|per-position=no|trapezoid/9;baseline=aligned",
        }));
    }

    /// <summary>A method's own settings, bound to its descriptor (not a field of the shared MethodSettings).</summary>
    private sealed record Smoothing(double Sigma, int Samples)
    {
        public string Id() => FormattableString.Invariant($"sigma={Sigma};samples={Samples}");
    }

    private static Method Smooth(double sigma) => Method.Bind("smooth", "SG", new Smoothing(sigma, 8),
        (_, _, _, _) => throw new NotSupportedException("never run"), (s, _) => s.Id(), spaces: [TargetSpace.Head]);

    /// <summary>A method binds its own settings and contributes its own fingerprint: its unit keys change with them, and the study's fingerprint names them.</summary>
    [Test]
    public void AMethodBindsItsOwnSettingsIntoItsUnitKeys()
    {
        var options = new PipelineOptions();
        Assert.That(new MethodUnit(Smooth(0.1), TargetSpace.Head).Fingerprint(options), Is.EqualTo("smooth-head|direction=noising|per-position=no|sigma=0.1;samples=8"));
        Assert.That(AttributionPipeline.UnitKey("batch", new MethodUnit(Smooth(0.1), TargetSpace.Head), options),
            Is.Not.EqualTo(AttributionPipeline.UnitKey("batch", new MethodUnit(Smooth(0.2), TargetSpace.Head), options)));
        Assert.That(Smooth(0.1).OwnSettings, Is.EqualTo(new Smoothing(0.1, 8)));
        Assert.That(Smooth(0.1).OwnSettingsText([TargetSpace.Head, TargetSpace.Mlp]), Is.EqualTo("sigma=0.1;samples=8"), "as the report's options show it");
        Assert.That(Method.Ig.OwnSettingsText([TargetSpace.Head]), Is.Null);
        Assert.That(MethodCatalogue.BuiltIn.Select(m => m.OwnSettings), Has.All.Null, "the built-in methods read the shared settings, so their fingerprints stay as they were");

        Concord.Studies.StudyOptions Study(Method m) => new() { Pipeline = new PipelineOptions { Methods = [Method.Ap, m], MethodCatalogue = MethodCatalogue.BuiltIn.With(m) } };
        Assert.That(Study(Smooth(0.1)).Identity(), Does.Contain(("method-settings", "smooth:sigma=0.1;samples=8")));
        Assert.That(new Concord.Studies.StudyOptions().Identity().Select(i => i.Name), Does.Not.Contain("method-settings"));
    }

    /// <summary>The factory is given the descriptor being bound, so a copy bound with other settings names itself in its results.</summary>
    [Test]
    public void ABoundFactoryIsGivenItsOwnDescriptor()
    {
        var given = new List<Method>();
        Method Bound(double sigma) => Method.Bind("smooth", "SG", new Smoothing(sigma, 8),
            (self, _, _, _) => { given.Add(self); throw new NotSupportedException("the descriptor is all this test needs"); }, (s, _) => s.Id(), spaces: [TargetSpace.Head]);
        var (a, b) = (Bound(0.1), Bound(0.2));
        Assert.Throws<NotSupportedException>(() => a.Create(MethodSettings.Default, null));
        Assert.Throws<NotSupportedException>(() => b.Create(MethodSettings.Default, null));
        Assert.That(given, Is.EqualTo(new[] { a, b }));
    }

    /// <summary>A unit file naming a method is read in the store's catalogue: a foreign method is damage to the built-in store, a result to its own.</summary>
    [Test]
    public void AStoreReadsTheMethodsOfItsCatalogue()
    {
        var scratch = Scratch();
        var folder = TempFolder.New("catalogue-units");
        try
        {
            var result = new MethodUnitResult(MethodResult.FromLayers(scratch, TargetSpace.Head, [new LayerScores(0, Scores(scratch, [1, 2]), null)]));
            new FileUnitStore(folder, methods: MethodCatalogue.BuiltIn.With(scratch)).Save("unit", result);
            var builtIn = new FileUnitStore(folder);
            Assert.That(builtIn.TryLoad("unit", out _), Is.False);
            Assert.That(builtIn.Rejected.Single(), Does.Contain("unreadable"));
            Assert.That(new FileUnitStore(folder, methods: MethodCatalogue.BuiltIn.With(scratch)).TryLoad("unit", out var loaded), Is.True);
            Assert.That(((MethodUnitResult)loaded).Result.Method, Is.SameAs(scratch));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private static ScoreSet Scores(Method method, double[] values)
    {
        var scores = new double[1, values.Length];
        for (int j = 0; j < values.Length; j++) scores[0, j] = values[j];
        return new ScoreSet(method.Id(), values.Select((_, j) => new Target(0, TargetSpace.Head, j, null)).ToList(), scores);
    }
}
