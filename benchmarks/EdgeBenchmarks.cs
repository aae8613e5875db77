using BenchmarkDotNet.Attributes;
using Concord.Methods.Edges;

namespace Concord.Benchmarks;

/// <summary>
/// The edge methods against their naive modes on the workload's batch: exact patching of every
/// edge (one stacked run per receiver from its layer) against one hooked full forward per edge;
/// EAP and EAP-IG (m = 5) contracted per receiver group, stacked, against one step at a time and one
/// dot product per edge. GPT-2 small's naive exact patching (32,491 forwards) does not fit a
/// benchmark: `edge-cost` measures it on a sample of edges.
/// </summary>
[InvocationCount(1)]
[IterationCount(5)]
[WarmupCount(1)]
public class EdgeBenchmarks : BenchmarkBase
{
    private EdgeContext _context = null!;

    public override void Setup()
    {
        base.Setup();
        _context = Work.EdgeContext();
    }

    public override void Cleanup()
    {
        _context.Dispose();
        base.Cleanup();
    }

    [Benchmark]
    public void ExactPatchingNaive() => Synchronised(() =>
    {
        for (int e = 0; e < _context.Graph.EdgeCount; e++) NaiveEdgeMethods.ExactPatching(_context, e);
    });

    [Benchmark(Baseline = true)]
    public void ExactPatching() => Synchronised(() => ExactEdgePatching.Attribute(_context));

    [Benchmark]
    public void EapNaive() => Synchronised(() => NaiveEdgeMethods.Eap(_context));

    [Benchmark]
    public void Eap() => Synchronised(() => EdgeAttributionPatching.Attribute(_context));

    [Benchmark]
    public void EapIgNaive() => Synchronised(() => NaiveEdgeMethods.EapIg(_context));

    [Benchmark]
    public void EapIg() => Synchronised(() => Concord.Methods.Edges.EapIg.Attribute(_context));

    [Benchmark]
    public void EdgeIg() => Synchronised(() => EdgeIntegratedGradients.Attribute(_context));
}
