using Concord.Methods.Quadrature;
using System.Diagnostics;
using Concord.Methods.Attribution;
using Concord.Methods.Attribution.Naive;
using Concord.Methods.Components;

namespace Concord.Benchmarks;

/// <summary>
/// Peak resident memory of one method run, measured in a process of its own (BenchmarkDotNet's
/// memory diagnoser sees only managed allocations; libtorch's tensors are native).
/// </summary>
public static class PeakMemory
{
    public static int Run(string[] args)
    {
        string method = args.ElementAtOrDefault(0) ?? "ig";
        string shape = Option(args, "--shape") ?? "gpt2-small";
        int steps = int.Parse(Option(args, "--steps") ?? "50");
        int prompts = int.Parse(Option(args, "--prompts") ?? "8");
        int tokens = int.Parse(Option(args, "--tokens") ?? "20");
        long budget = long.Parse(Option(args, "--budget-mb") ?? "1024") << 20;
        using var work = new Workload(shape, prompts, tokens);
        using var context = AttributionContext.Create(work.Model, work.Batch, [ComponentKind.Head],
            new AttributionOptions { MemoryBudgetBytes = budget });
        var nodes = QuadraturePoints.For(QuadratureRule.GaussLegendre, steps);
        long setup = Rss("VmRSS");
        var clock = Stopwatch.StartNew();
        switch (method)
        {
            case "ig": new IntegratedGradients(IgSettings.FixedNodes(steps)).Attribute(context, ComponentKind.Head); break;
            case "ig-naive": for (int l = 0; l < work.Model.Config.NLayer; l++) NaiveIntegratedGradients.Layer(context, ComponentKind.Head, l, nodes); break;
            case "ap": new ActivationPatching().Attribute(context, ComponentKind.Head); break;
            default: Console.Error.WriteLine($"unknown method '{method}' (ig, ig-naive, ap)"); return 2;
        }
        Console.WriteLine($"{method} on {shape}, {prompts} prompts × {tokens} tokens, {steps} steps, budget {budget >> 20} MiB: " +
                          $"{clock.Elapsed.TotalSeconds:F1} s, resident after setup {setup / 1024.0:F0} MiB, peak {Rss("VmHWM") / 1024.0:F0} MiB");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>A /proc/self/status field in KiB (Linux only; 0 elsewhere).</summary>
    private static long Rss(string field)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":"));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
