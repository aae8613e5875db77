using System.Diagnostics;
using Concord.Benchmarks.Devices;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using static TorchSharp.torch;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// `profile ap-heads|ig-heads`: where an algorithm's time goes. Times the algorithm as its
/// benchmark does, then each kind of matrix product it performs (<see cref="BenchmarkWork"/>) in
/// isolation, at its real shape and call count: once with a fresh output per call (as the model's
/// matmul allocates one) and once into a preallocated output (the kernel alone). The algorithm's
/// time minus the isolated products' is what is not matrix products: element-wise work, copies
/// (stacking, concatenating cached keys and values, permutes), allocation and per-chunk overhead.
/// </summary>
public static class ProductProfile
{
    public static int Run(string[] args)
    {
        string what = args.ElementAtOrDefault(0) ?? "ap-heads";
        string shape = CommandOptions.Get(args, "--shape") ?? "gpt2-small";
        string device = CommandOptions.Get(args, "--device") ?? "cpu";
        int prompts = int.Parse(CommandOptions.Get(args, "--prompts") ?? "8");
        int tokens = int.Parse(CommandOptions.Get(args, "--tokens") ?? "20");
        int steps = int.Parse(CommandOptions.Get(args, "--steps") ?? "10");
        int repeats = int.Parse(CommandOptions.Get(args, "--repeats") ?? "2");
        var clock = DeviceClock.For(device);

        using var work = new Workload(shape, prompts, tokens, device);
        using var context = work.Context();
        Action algorithm;
        List<MatrixProduct>? products;
        switch (what)
        {
            case "ap-heads":
                algorithm = () => new ActivationPatching().Attribute(context, TargetSpace.Head);
                products = BenchmarkWork.For(nameof(ActivationPatchingBenchmarks), nameof(ActivationPatchingBenchmarks.Heads), shape, prompts, tokens, steps);
                break;
            case "ig-heads":
                algorithm = () => new IntegratedGradients(IgSettings.FixedNodes(steps)).Attribute(context, TargetSpace.Head);
                products = BenchmarkWork.For(nameof(IntegratedGradientsBenchmarks), nameof(IntegratedGradientsBenchmarks.HeadsAllLayers), shape, prompts, tokens, steps);
                break;
            default:
                Console.Error.WriteLine($"unknown profile '{what}' (ap-heads, ig-heads)");
                return 2;
        }

        algorithm();   // warm-up: first-touch of the allocator's pages, thread pool start-up
        clock.Synchronize();
        bool productsToo = !args.Contains("--no-products");
        // The peak just before and just after: on a shared machine the two disagree when another
        // process took a core meanwhile, and the share uses the higher (the conservative choice).
        var peakBefore = productsToo ? MachinePeak.Measure(device, work.Model.DType, clock) : null;
        var times = new List<double>();
        var cpuBefore = ProcessTimes.Now();
        double machineBefore = MachineTimes.BusySeconds();
        for (int i = 0; i < repeats; i++)
        {
            var t = Stopwatch.StartNew();
            algorithm();
            clock.Synchronize();
            times.Add(t.Elapsed.TotalSeconds);
        }
        var cpu = ProcessTimes.Now() - cpuBefore;
        string others = MachineTimes.OthersLine(MachineTimes.BusySeconds() - machineBefore, cpu, TimeSpan.FromSeconds(times.Sum()));
        double total = times.Min();
        double busy = (cpu.UserSeconds + cpu.KernelSeconds) / times.Sum();
        double flops = products!.Sum(p => p.Flops);
        Console.WriteLine($"{what} on {shape} ({device}, {get_num_threads()} threads), {prompts} prompts × {tokens} tokens, shared prefix {Workload.PrefixLength(prompts, tokens)}: " +
                          $"best of {repeats} {total:F3} s, {flops / 1e9:F1} GFLOP, {flops / total / 1e9:F1} GFLOP/s");
        Console.WriteLine("  " + ThroughputSummary.AllocatorSetting());
        Console.WriteLine("  during the timed runs " + others);
        Console.WriteLine($"  per run: CPU {cpu.UserSeconds / repeats:F2} s user + {cpu.KernelSeconds / repeats:F2} s kernel ({100 * cpu.KernelSeconds / Math.Max(1e-9, cpu.UserSeconds + cpu.KernelSeconds):F0} % kernel), " +
                          $"{cpu.MinorFaults / repeats / 1000.0:F0} k minor page faults; CPU/wall {busy:F2} (at most {get_num_threads()}: lower when the threads wait for each other or for another process)");
        // --no-products: the algorithm alone, for an outside profiler (perf record) to attribute.
        if (!productsToo) return 0;
        var peakAfter = MachinePeak.Measure(device, work.Model.DType, clock);
        var peak = peakAfter.Gflops >= peakBefore!.Gflops ? peakAfter : peakBefore;
        Console.WriteLine($"  {100 * flops / total / 1e9 / peak.Gflops:F1} % of the {peak.Describe()} (before the runs {peakBefore.Gflops:F0}, after {peakAfter.Gflops:F0})");
        Console.WriteLine($"  {"product",-44} {"shape",-22} {"calls",6} {"GFLOP",8} {"alloc s",8} {"GFLOP/s",8} {"kernel s",8} {"GFLOP/s",8}");
        double allocated = 0, kernel = 0;
        foreach (var group in products!.GroupBy(p => p).OrderByDescending(g => g.Key.Flops * g.Count()))
        {
            int calls = group.Count();
            double groupFlops = group.Key.Flops * calls;
            double withAllocation = PerCall(group.Key, work.Model.DType, device, clock, allocate: true) * calls;
            double kernelOnly = PerCall(group.Key, work.Model.DType, device, clock, allocate: false) * calls;
            allocated += withAllocation;
            kernel += kernelOnly;
            string shapeText = group.Key.Count > 1 ? $"{group.Key.Count}×{group.Key.Shape}" : group.Key.Shape;
            Console.WriteLine($"  {group.Key.Name,-44} {shapeText,-22} {calls,6} {groupFlops / 1e9,8:F1} {withAllocation,8:F3} {groupFlops / withAllocation / 1e9,8:F1} {kernelOnly,8:F3} {groupFlops / kernelOnly / 1e9,8:F1}");
        }
        Console.WriteLine($"  products in isolation: {allocated:F3} s with fresh outputs ({100 * allocated / total:F0} % of the algorithm's time), {kernel:F3} s into preallocated ones; " +
                          $"at the peak they would take {flops / 1e9 / peak.Gflops:F3} s");
        Console.WriteLine($"  not matrix products (element-wise, copies, allocation, per-chunk work): {total - allocated:F3} s ({100 * (total - allocated) / total:F0} %)");
        return 0;
    }

    /// <summary>Seconds per call of one product kind: [M×K]·[K×N] (Count &gt; 1: a batched product of Count such).</summary>
    private static double PerCall(MatrixProduct product, ScalarType dtype, string device, IDeviceClock clock, bool allocate)
    {
        var on = TorchSharp.torch.device(device);
        using var a = randn(product.Count > 1 ? [product.Count, product.M, product.K] : [product.M, product.K], dtype: dtype).to(on);
        using var b = randn(product.Count > 1 ? [product.Count, product.K, product.N] : [product.K, product.N], dtype: dtype).to(on);
        using var c = a.matmul(b);
        void Once()
        {
            // TorchSharp 0.107 has no in-place batched product: batched ones allocate either way.
            if (allocate || product.Count > 1) a.matmul(b).Dispose();
            else c.addmm_(a, b, beta: 0, alpha: 1);
        }
        var time = Stopwatch.StartNew();
        int n = 0;
        while (n < 3 || time.Elapsed.TotalSeconds < 0.02) { Once(); clock.Synchronize(); n++; }   // warm-up
        int repeats = Math.Max(3, (int)(0.02 / (time.Elapsed.TotalSeconds / n)));
        // The fastest of 5 batches, as for the peak: another process's time slice only slows one down.
        var perCall = new List<double>();
        for (int batch = 0; batch < 5; batch++)
        {
            time.Restart();
            for (int i = 0; i < repeats; i++) Once();
            clock.Synchronize();
            perCall.Add(time.Elapsed.TotalSeconds / repeats);
        }
        return perCall.Min();
    }
}
