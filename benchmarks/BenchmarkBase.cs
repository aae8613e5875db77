using BenchmarkDotNet.Attributes;
using Concord.Benchmarks.Devices;

namespace Concord.Benchmarks;

/// <summary>
/// Common parameters. Model shapes come from CONCORD_BENCH_SHAPES (default "tiny", the quick job;
/// "gpt2-small" for GPT-2 small's shape), the device from CONCORD_BENCH_DEVICE (default cpu).
/// </summary>
public abstract class BenchmarkBase
{
    public static IEnumerable<string> Shapes() =>
        (Environment.GetEnvironmentVariable("CONCORD_BENCH_SHAPES") ?? "tiny").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static IEnumerable<string> Devices() =>
        (Environment.GetEnvironmentVariable("CONCORD_BENCH_DEVICE") ?? "cpu").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "tiny";

    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    [Params(8)]
    public int Prompts { get; set; }

    [Params(20)]
    public int Tokens { get; set; }

    protected Workload Work { get; private set; } = null!;

    /// <summary>What every benchmark waits for before it returns; the device's own clock unless a test sets one.</summary>
    public IDeviceClock? Clock { get; set; }

    [GlobalSetup]
    public virtual void Setup()
    {
        Clock ??= DeviceClock.For(Device);
        Work = new Workload(Shape, Prompts, Tokens, Device);
    }

    [GlobalCleanup]
    public virtual void Cleanup() => Work.Dispose();

    /// <summary>
    /// Runs one benchmarked operation and waits for the device. BenchmarkDotNet stops its clock
    /// when the benchmark method returns; on a GPU the operation's kernels may still be queued
    /// then, so every [Benchmark] method ends here.
    /// </summary>
    protected void Synchronised(Action operation)
    {
        operation();
        Clock!.Synchronize();
    }
}
