using BenchmarkDotNet.Attributes;

namespace Concord.Benchmarks;

/// <summary>One forward pass: logits at the last real tokens only, against full logits at every position (the notebook).</summary>
public class ForwardBenchmarks : BenchmarkBase
{
    [Benchmark(Baseline = true)]
    public void FullLogits() => Synchronised(() => Work.Model.Run(Work.Batch.Clean.Tokens).Dispose());

    [Benchmark]
    public void LastTokenLogits() => Synchronised(() => Work.Model.Run(Work.Batch.Clean.Tokens, readPositions: Work.Batch.Clean.LastPositions).Dispose());
}
