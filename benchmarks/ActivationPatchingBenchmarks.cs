using BenchmarkDotNet.Attributes;
using Concord.Methods.Attribution;
using Concord.Methods.Attribution.Naive;
using Concord.Methods.Targets;

namespace Concord.Benchmarks;

/// <summary>AP over every head of every layer: stacked run-from-hook against one full forward per patch.</summary>
public class ActivationPatchingBenchmarks : BenchmarkBase
{
    private AttributionContext _context = null!;
    private AttributionContext _fullRecompute = null!;

    public override void Setup()
    {
        base.Setup();
        _context = Work.Context();
        _fullRecompute = Work.Context(reusePrefix: false);
    }

    public override void Cleanup()
    {
        _context.Dispose();
        _fullRecompute.Dispose();
        base.Cleanup();
    }

    [Benchmark(Baseline = true)]
    public void HeadsNaive() => Synchronised(() =>
    {
        for (int l = 0; l < Work.Model.Config.NLayer; l++) NaiveActivationPatching.Layer(_context, TargetSpace.Head, l);
    });

    [Benchmark]
    public void Heads() => Synchronised(() => new ActivationPatching().Attribute(_context, TargetSpace.Head));

    /// <summary>Every position recomputed after the hook (no prefix reuse): what <see cref="Heads"/> saves.</summary>
    [Benchmark]
    public void HeadsFullRecompute() => Synchronised(() => new ActivationPatching().Attribute(_fullRecompute, TargetSpace.Head));
}

/// <summary>AP over a slice of neurons (the first 32 of the middle layer): patches are many and cheap.</summary>
public class NeuronPatchingBenchmarks : BenchmarkBase
{
    public const int Slice = 32;
    private AttributionContext _context = null!;
    private int Layer => Work.Model.Config.NLayer / 2;

    public override void Setup()
    {
        base.Setup();
        _context = Work.Context(kinds: TargetSpace.Neuron);
    }

    public override void Cleanup()
    {
        _context.Dispose();
        base.Cleanup();
    }

    [Benchmark(Baseline = true)]
    public void NeuronSliceNaive() => Synchronised(() =>
    {
        // The notebook's algorithm restricted to the same slice: one full forward per neuron.
        var indices = Enumerable.Range(0, Slice).ToArray();
        NaiveActivationPatching.Layer(_context, TargetSpace.Neuron, Layer, indices);
    });

    [Benchmark]
    public void NeuronSlice() => Synchronised(() => ActivationPatching.Layer(_context, TargetSpace.Neuron, Layer, chosen: Enumerable.Range(0, Slice).ToArray()));
}
