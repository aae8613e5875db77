using System.Diagnostics;
using Concord.Benchmarks.Devices;
using static TorchSharp.torch;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// This machine's matrix-product limit through TorchSharp, on the products GPT-2 small's runs are
/// made of: at a stacked run's size (1024 token rows: AP over heads stacks 12 patches × 8 prompts
/// × the positions after the shared prefix) the MLP's two products and the 768×768 projections
/// (q, k, v, attention output), and the fused size of one 8 × 21-token batch's q, k, v
/// projections (168×768·768×2304). The peak is the best of them: what an algorithm made of such
/// products could at most reach. (On this AMD EPYC the 768-wide outputs are the fastest: the
/// 3072-wide output of the MLP's first product reached 114–129 GFLOP/s where the others reached
/// 143–170.)
/// </summary>
public static class MachinePeak
{
    public static readonly MatrixProduct[] Gpt2SmallProducts =
    [
        new("mlp in", 1024, 768, 3072),
        new("mlp out", 1024, 3072, 768),
        new("projection", 1024, 768, 768),
        new("q, k, v of one batch", 168, 768, 2304),
    ];

    public sealed record Result(string Device, ScalarType DType, int Threads, IReadOnlyList<(MatrixProduct Product, double Gflops)> Products)
    {
        public double Gflops => Products.Max(p => p.Gflops);
        public MatrixProduct Best => Products.MaxBy(p => p.Gflops).Product;
        public string Describe() =>
            $"{DType.ToString().ToLowerInvariant()} matrix-product peak on {Device} ({Threads} threads): {Gflops:F0} GFLOP/s ({Best.Shape}); " +
            string.Join(", ", Products.Select(p => $"{p.Product.Shape} {p.Gflops:F0}"));
    }

    private static readonly Dictionary<(string, ScalarType), Result> Measured = [];

    /// <summary>The peak for a device and number type, measured the first time it is asked for in this process.</summary>
    public static Result For(string device, ScalarType dtype)
    {
        lock (Measured)
        {
            if (!Measured.TryGetValue((device, dtype), out var result))
                Measured[(device, dtype)] = result = Measure(device, dtype, DeviceClock.For(device));
            return result;
        }
    }

    public static Result Measure(string device, ScalarType dtype, IDeviceClock clock) =>
        new(device, dtype, get_num_threads(), Gpt2SmallProducts.Select(p => (p, Measure(p, dtype, device, clock))).ToList());

    /// <summary>
    /// GFLOP/s of one product: after warm-up, the fastest of 5 timed batches of about 50 ms each
    /// (the device synchronised before every stop). Other processes can only slow a batch down,
    /// so the fastest is the nearest to the machine's limit, and a share of it is never flattered
    /// by a busy moment during the peak's measurement.
    /// </summary>
    public static double Measure(MatrixProduct product, ScalarType dtype, string device, IDeviceClock clock)
    {
        using var kernel = new ProductKernel(product, dtype, device);
        var clockTime = Stopwatch.StartNew();
        int warm = 0;
        while (warm < 3 || clockTime.Elapsed.TotalMilliseconds < 100)
        {
            kernel.Run();
            clock.Synchronize();
            warm++;
        }
        double perCall = clockTime.Elapsed.TotalSeconds / warm;
        int repeats = Math.Max(1, (int)(0.05 / perCall));
        var rates = new List<double>();
        for (int batch = 0; batch < 5; batch++)
        {
            var time = Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++) kernel.Run();
            clock.Synchronize();
            rates.Add(product.Flops * repeats / time.Elapsed.TotalSeconds / 1e9);
        }
        return rates.Max();
    }
}
