using Concord.Methods.Quadrature;
using System.Diagnostics;
using Concord.Methods.Attribution;
using Concord.Methods.Attribution.Naive;
using Concord.Methods.Targets;
using Concord.Benchmarks.Devices;

namespace Concord.Benchmarks;

/// <summary>
/// Peak memory of one method run, measured in a process of its own (BenchmarkDotNet's memory
/// diagnoser sees only managed allocations; libtorch's tensors are native): host resident memory
/// on cpu, device memory on cuda (<see cref="MemoryGauge"/>), from the end of the set-up on.
/// </summary>
public static class PeakMemory
{
    public static int Run(string[] args)
    {
        string method = args.ElementAtOrDefault(0) ?? "ig";
        string shape = CommandOptions.Get(args, "--shape") ?? "gpt2-small";
        int steps = int.Parse(CommandOptions.Get(args, "--steps") ?? "50");
        int prompts = int.Parse(CommandOptions.Get(args, "--prompts") ?? "8");
        int tokens = int.Parse(CommandOptions.Get(args, "--tokens") ?? "20");
        long budget = long.Parse(CommandOptions.Get(args, "--budget-mb") ?? "1024") << 20;
        string device = CommandOptions.Get(args, "--device") ?? "cpu";
        using var work = new Workload(shape, prompts, tokens, device);
        using var gauge = MemoryGauge.For(device);
        var deviceClock = DeviceClock.For(device);
        using var context = AttributionContext.Create(work.Model, work.Batch, [TargetSpace.Head],
            new AttributionOptions { MemoryBudgetBytes = budget });
        var nodes = QuadraturePoints.For(QuadratureRule.GaussLegendre, steps);
        deviceClock.Synchronize();
        long setup = gauge.CurrentBytes();
        gauge.ResetPeak();
        var clock = Stopwatch.StartNew();
        switch (method)
        {
            case "ig": new IntegratedGradients(IgSettings.FixedNodes(steps)).Attribute(context, TargetSpace.Head); break;
            case "ig-naive": for (int l = 0; l < work.Model.Config.NLayer; l++) NaiveIntegratedGradients.Layer(context, TargetSpace.Head, l, nodes); break;
            case "ap": new ActivationPatching().Attribute(context, TargetSpace.Head); break;
            default: Console.Error.WriteLine($"unknown method '{method}' (ig, ig-naive, ap)"); return 2;
        }
        deviceClock.Synchronize();
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{method} on {shape} ({device}), {prompts} prompts × {tokens} tokens, {steps} steps, budget {budget >> 20} MiB: " +
                          $"{seconds:F1} s, in use after setup {setup / 1048576.0:F0} MiB, peak {gauge.PeakBytes() / 1048576.0:F0} MiB ({gauge.Source})");
        return 0;
    }
}
