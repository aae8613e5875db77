using System.Globalization;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Structure;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>
/// The fixture's study runs in both directions: the AND / OR structure of its prompts, by its
/// definitions, and pinned as a table (n, d of AP and IG per component, every pair's I).
/// </summary>
public abstract partial class TaskAgreementFixture
{
    /// <summary>Components per kind whose pairs are noised jointly in the fixture: 15 pairs per kind.</summary>
    private const int FixtureInteractions = 6;

    protected TaskStructure Structure { get; private set; } = null!;
    protected TaskAnalysis Opposite { get; private set; } = null!;

    [Test]
    public void TheDenoisingRunIsTheNoisingRunWithCleanAndCorruptedSwapped()
    {
        // Same prompts, same batches; the base run is the other one, bit for bit the same forward passes.
        var noised = Analysis.Result.Batches;
        var denoised = Opposite.Result.Batches;
        Assert.That(denoised.Select(b => b.Rows), Is.EqualTo(noised.Select(b => b.Rows)));
        for (int b = 0; b < noised.Count; b++)
        {
            Assert.That(denoised[b].Metrics.Base, Is.EqualTo(noised[b].Metrics.Other), $"batch {b}: F(corrupted)");
            Assert.That(denoised[b].Metrics.Other, Is.EqualTo(noised[b].Metrics.Base), $"batch {b}: F(clean)");
        }
    }

    [Test]
    public void WholeMlpLayersAsymmetryIsIgsToo()
    {
        // A whole MLP layer is one component at its hook: completeness makes its IG the AP of the
        // layer in each direction (the two agree by construction), so n and d agree to IG's quadrature error.
        var mlp = Structure.Kinds.Single(k => k.Kind == TargetSpace.Mlp);
        var ap = mlp.Of(Method.Ap)!;
        var ig = mlp.Of(Method.Ig)!;
        foreach (var c in ap.Components)
        {
            Assert.That(ig.Of(c.Target)!.Noise, Is.EqualTo(c.Noise).Within(IgAgreesWithAp), $"{c.Target}: n");
            Assert.That(ig.Of(c.Target)!.Denoise, Is.EqualTo(c.Denoise).Within(IgAgreesWithAp), $"{c.Target}: d");
        }
    }

    /// <summary>IG's completeness error relative to the gap on these prompts at the fixture's node count (measured: ≤ 8e-5 except greater-than 5e-4 at 64 and SVA 2e-5 at 512; see <see cref="QuadratureSteps"/>), with margin.</summary>
    private const double IgAgreesWithAp = 2e-3;

    [Test]
    public void AsymmetryTableMatchesSnapshot()
    {
        string F(double v) => double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "nan";
        var lines = new List<string> { $"prompts {Structure.Prompts} kept {Structure.KeptPrompts}" };
        foreach (var kind in Structure.Kinds)
        {
            var ap = kind.Of(Method.Ap)!;
            var ig = kind.Of(Method.Ig);
            foreach (var c in ap.Components)
            {
                var i = ig?.Of(c.Target);
                lines.Add($"{kind.Kind.Id(),-7} {c.Target.Label,-8} AP n {F(c.Noise)} d {F(c.Denoise)} A {F(c.A)} | IG n {(i is null ? "–" : F(i.Noise))} d {(i is null ? "–" : F(i.Denoise))}");
            }
            lines.Add($"{kind.Kind.Id(),-7} candidates {string.Join(" ", kind.Candidates.Select(c => c.Target.Label))}");
            foreach (var p in kind.Pairs)
                lines.Add($"{kind.Kind.Id(),-7} pair {p.First.Label}+{p.Second.Label} n {F(p.Joint)} I {F(p.Interaction)} {p.Gate} {kind.Confirmation(p).Id()}");
        }
        PinnedTable.Match(lines, Name("asymmetry"), absolute: FourDecimals, relative: 0);
    }
}
