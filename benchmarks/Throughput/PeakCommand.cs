using Concord.Benchmarks.Devices;
using static TorchSharp.torch;

namespace Concord.Benchmarks.Throughput;

/// <summary>`peak [--device cpu]`: this machine's fp32 and fp64 matrix-product peak, in a few seconds, without BenchmarkDotNet.</summary>
public static class PeakCommand
{
    public static int Run(string[] args)
    {
        string device = CommandOptions.Get(args, "--device") ?? "cpu";
        var clock = DeviceClock.For(device);
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            Console.WriteLine(MachinePeak.Measure(device, dtype, clock).Describe());
        return 0;
    }
}
