using BenchmarkDotNet.Attributes;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;

namespace Concord.Benchmarks;

/// <summary>
/// AtP over heads, against optimised AP over heads (the ratio the design asks for). AtP from the
/// recorded base graph is one backward pass; each iteration gets a fresh context since the graph
/// is used once.
/// </summary>
// The recorded graph serves one backward pass: one invocation per iteration, each after a fresh
// IterationSetup. Single invocations of millisecond operations are noisy, hence more iterations.
[InvocationCount(1)]
[IterationCount(25)]
public class AttributionPatchingBenchmarks : BenchmarkBase
{
    private AttributionContext _context = null!;
    private AttributionContext? _recorded;

    public override void Setup()
    {
        base.Setup();
        _context = Work.Context();
    }

    // Synchronised too: the recording forward's kernels must not finish inside the timed call.
    [IterationSetup(Target = nameof(AtpFromRecordedGraph))]
    public void RecordGraph() => Synchronised(() => _recorded = Work.Context(gradientAtBase: true));

    [IterationCleanup(Target = nameof(AtpFromRecordedGraph))]
    public void DropGraph() => _recorded?.Dispose();

    public override void Cleanup()
    {
        _context.Dispose();
        base.Cleanup();
    }

    [Benchmark(Baseline = true)]
    public void ApHeads() => Synchronised(() => new ActivationPatching().Attribute(_context, TargetSpace.Head));

    [Benchmark]
    public void AtpWithForward() => Synchronised(() => new AttributionPatching().AttributeAll(_context, [TargetSpace.Head]));

    [Benchmark]
    public void AtpFromRecordedGraph() => Synchronised(() => new AttributionPatching().AttributeAll(_recorded!, [TargetSpace.Head]));
}
