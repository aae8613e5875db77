using Concord.Methods.Quadrature;
using BenchmarkDotNet.Attributes;
using Concord.Methods.Attribution;
using Concord.Methods.Attribution.Naive;
using Concord.Methods.Targets;

namespace Concord.Benchmarks;

/// <summary>IG for the heads of every layer (Gauss–Legendre): stacked steps run from the hook against one full forward+backward per step.</summary>
public class IntegratedGradientsBenchmarks : BenchmarkBase
{
    private AttributionContext _context = null!;
    private AttributionContext _autoContext = null!;
    private AttributionContext _fullRecompute = null!;

    [ParamsSource(nameof(StepCounts))]
    public int Steps { get; set; }

    /// <summary>50 steps like captum on the tiny model; 10 on GPT-2 small's shape keeps the naive run under a minute per operation (override with CONCORD_BENCH_STEPS).</summary>
    public static IEnumerable<int> StepCounts() =>
        Environment.GetEnvironmentVariable("CONCORD_BENCH_STEPS") is { Length: > 0 } s ? s.Split(',').Select(int.Parse) : [10];

    public override void Setup()
    {
        base.Setup();
        _context = Work.Context();
        _autoContext = Work.Context();
        _fullRecompute = Work.Context(reusePrefix: false);
    }

    public override void Cleanup()
    {
        _context.Dispose();
        _autoContext.Dispose();
        _fullRecompute.Dispose();
        base.Cleanup();
    }

    [Benchmark(Baseline = true)]
    public void HeadsAllLayersNaive() => Synchronised(() =>
    {
        for (int l = 0; l < Work.Model.Config.NLayer; l++) NaiveIntegratedGradients.Layer(_context, TargetSpace.Head, l, QuadraturePoints.For(QuadratureRule.GaussLegendre, Steps));
    });

    [Benchmark]
    public void HeadsAllLayers() => Synchronised(() => new IntegratedGradients(IgSettings.FixedNodes(Steps)).Attribute(_context, TargetSpace.Head));

    /// <summary>Every position recomputed after the hook (no prefix reuse).</summary>
    [Benchmark]
    public void HeadsAllLayersFullRecompute() => Synchronised(() => new IntegratedGradients(IgSettings.FixedNodes(Steps)).Attribute(_fullRecompute, TargetSpace.Head));

    /// <summary>
    /// `--steps auto` at τ = 1e-3: the adaptive composite rule per layer. Called through
    /// <see cref="AdaptiveComposite.Layer"/> itself: IntegratedGradients memoises the rule's outcome on
    /// the context (so that the sweep reuses it), which made every call after the first take 2 µs.
    /// </summary>
    [Benchmark]
    public void HeadsAllLayersAuto() => Synchronised(() =>
    {
        for (int l = 0; l < Work.Model.Config.NLayer; l++) AdaptiveComposite.Layer(_autoContext, TargetSpace.Head, l, 1e-3, cap: 4096);
    });

    [Benchmark]
    public void HeadsOneLayer() => Synchronised(() => IntegratedGradients.Layer(_context, TargetSpace.Head, 0, QuadraturePoints.For(QuadratureRule.GaussLegendre, Steps)));
}
