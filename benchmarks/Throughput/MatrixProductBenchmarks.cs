using BenchmarkDotNet.Attributes;
using Concord.Benchmarks.Devices;
using static TorchSharp.torch;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// The machine's fp32 and fp64 matrix-product throughput through TorchSharp on GPT-2 small's
/// products (<see cref="MachinePeak.Gpt2SmallProducts"/>), whatever shape the other benchmarks
/// run: the limit their GFLOP/s are measured against. Each invocation runs
/// <see cref="ProductsPerInvocation"/> products and then waits for the device once, so a GPU's
/// launch queue stays full and the clock still stops only after the work; the mean is per
/// invocation.
/// </summary>
[WarmupCount(2)]
[IterationCount(8)]
[InvocationCount(1)]
public class MatrixProductBenchmarks
{
    /// <summary>
    /// Products per timed call: a CPU product takes 5–35 ms here, so 4 keep a call well above the
    /// timer's resolution; a GPU's take tens of microseconds, about what one synchronisation costs,
    /// so 64 keep that wait to a few per cent of the call.
    /// </summary>
    public static int ProductsPerInvocation(string device) => DeviceName.Kind(device) == "cuda" ? 64 : 4;

    public static IEnumerable<string> ProductNames() => MachinePeak.Gpt2SmallProducts.Select(p => p.Shape);

    [ParamsSource(nameof(ProductNames))]
    public string Product { get; set; } = "";

    [Params("float32", "float64")]
    public string DType { get; set; } = "float32";

    public static IEnumerable<string> Devices() => BenchmarkBase.Devices();

    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    private ProductKernel _kernel = null!;

    /// <summary>What every invocation waits for; the device's own clock unless a test sets one.</summary>
    public IDeviceClock? Clock { get; set; }

    public static MatrixProduct Named(string shape) => MachinePeak.Gpt2SmallProducts.Single(p => p.Shape == shape);

    public static ScalarType TypeOf(string dtype) => dtype == "float64" ? ScalarType.Float64 : ScalarType.Float32;

    [GlobalSetup]
    public void Setup()
    {
        Clock ??= DeviceClock.For(Device);
        _kernel = new ProductKernel(Named(Product), TypeOf(DType), Device);
    }

    [GlobalCleanup]
    public void Cleanup() => _kernel.Dispose();

    [Benchmark]
    public void Products()
    {
        for (int i = 0, n = ProductsPerInvocation(Device); i < n; i++) _kernel.Run();
        Clock!.Synchronize();
    }
}
