using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Quadrature;
using Concord.Tasks;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Pipeline;

/// <summary>
/// The text every stored unit's key hashes, pinned for a fixed set of units. Keys are built from
/// stable ids only (never a C# member's name or ordinal), so renaming or reordering an enum member
/// must leave every line here unchanged; a change here means every stored unit is recomputed, which
/// the README must then announce.
/// </summary>
[TestFixture]
public class UnitKeyTests
{
    private static readonly string Batch = AttributionPipeline.BatchKey("MODEL", TaskKind.GenderBias, "DATA", MetricReadout.LogitDifference, [3, 1, 4]);

    private static readonly PipelineOptions Options = new()
    {
        Methods = [Method.Ig, Method.Ap, Method.Atp],
        Spaces = [TargetSpace.Head, TargetSpace.Neuron, TargetSpace.Mlp],
        Ig = IgSettings.FixedNodes(50),
        NeuronsPerLayer = 32,
        Seed = 7,
        SweepScales = [0.25],
        SweepSpaces = [TargetSpace.Head],
    };

    [Test]
    public void TheBatchKeyNamesLayoutModelTaskDataReadoutAndRows() =>
        Assert.That(Batch, Is.EqualTo("units=4|MODEL|gender-bias|DATA|logit-difference|rows=3,1,4"));

    [Test]
    public void EveryUnitKeyTextIsPinned()
    {
        var texts = Options.UnitsPerBatch().Select(u => AttributionPipeline.UnitKeyText(Batch, u, Options)[(Batch.Length + 1)..]).ToArray();
        Assert.That(texts, Is.EqualTo(new[]
        {
            "metrics|direction=noising|per-position=no",
            "ig-head|direction=noising|per-position=no|gauss-legendre/50;baseline=aligned",
            "ig-neuron|direction=noising|per-position=no|gauss-legendre/50;baseline=aligned",
            "ig-mlp|direction=noising|per-position=no|gauss-legendre/50;baseline=aligned",
            "ap-head|direction=noising|per-position=no",
            "ap-neuron|direction=noising|per-position=no|neurons=32;seed=7",
            "ap-mlp|direction=noising|per-position=no",
            "atp-head|direction=noising|per-position=no",
            "atp-neuron|direction=noising|per-position=no",
            "atp-mlp|direction=noising|per-position=no",
            "sweep-head-0.25|direction=noising|per-position=no|gauss-legendre/50;baseline=aligned",
        }));
    }

    [Test]
    public void OptionsOtherThanTheDefaultsAreWrittenByTheirIds()
    {
        var options = Options with
        {
            Ig = IgSettings.Auto(1e-3, cap: 4096, baseline: Baseline.Zero),
            Attribution = new AttributionOptions { Direction = Direction.Denoising, PerPosition = true },
        };
        Assert.That(new MethodUnit(Method.Ig, TargetSpace.Head).Fingerprint(options),
            Is.EqualTo("ig-head|direction=denoising|per-position=yes|auto/0.001/4096/cuts=0.25;baseline=zero"), "the adaptive rule cuts its path at the sweep's scales");
        Assert.That(new MethodUnit(Method.Ig, TargetSpace.Head).Fingerprint(Options with { Ig = IgSettings.FixedNodes(9, QuadratureRule.Trapezoid) }),
            Is.EqualTo("ig-head|direction=noising|per-position=no|trapezoid/9;baseline=aligned"));
        // The sweep scales the aligned baseline whatever IG's baseline is.
        Assert.That(new SweepUnit(TargetSpace.Head, 0.25, MethodCatalogue.BuiltIn).Fingerprint(options),
            Is.EqualTo("sweep-head-0.25|direction=denoising|per-position=yes|auto/0.001/4096/cuts=0.25;baseline=aligned"));
    }

    /// <summary>The hash itself, for one unit: the file name a stored unit has.</summary>
    [Test]
    public void AUnitKeyIsItsNameAndTheHashOfItsText() =>
        Assert.That(AttributionPipeline.UnitKey(Batch, new MethodUnit(Method.Ap, TargetSpace.Head), Options),
            Is.EqualTo("ap-head-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes(Batch + "|ap-head|direction=noising|per-position=no")))[..16]));

    /// <summary>Every enum that reaches a key or a file parses back from its id.</summary>
    [Test]
    public void EveryIdParsesBack()
    {
        foreach (var m in MethodCatalogue.BuiltIn) Assert.That(MethodCatalogue.BuiltIn.Parse(m.Id()), Is.SameAs(m));
        foreach (var k in TargetSpace.BuiltIn) Assert.That(TargetSpace.Parse(k.Id()), Is.EqualTo(k));
        foreach (var d in Enum.GetValues<Direction>()) Assert.That(Directions.Parse(d.Id()), Is.EqualTo(d));
        foreach (var b in Enum.GetValues<Baseline>()) Assert.That(Baselines.Parse(b.Id()), Is.EqualTo(b));
        foreach (var r in Enum.GetValues<QuadratureRule>()) Assert.That(QuadratureRules.Parse(r.Id()), Is.EqualTo(r));
        foreach (var t in TaskKinds.All) Assert.That(TaskKinds.Parse(t.Id()), Is.EqualTo(t));
        foreach (var c in Enum.GetValues<IoiCorruption>()) Assert.That(IoiCorruptions.Parse(c.Id()), Is.EqualTo(c));
    }
}
