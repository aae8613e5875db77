using System.Diagnostics;
using System.Globalization;
using Concord.Methods.Edges;

namespace Concord.Benchmarks;

/// <summary>
/// What the edge methods cost against their naive modes on one batch, in one process, with ratios
/// measured in the same run. Exact patching runs over every edge; its naive mode (one hooked full
/// forward per edge) over an evenly spread sample of edges, its total extrapolated from the sample's
/// mean per edge and said so. EAP, EAP-IG (m = 5) and their naive modes run once each after a warm-up.
/// </summary>
public static class EdgeCost
{
    public static int Run(string[] args)
    {
        string shape = CommandOptions.Get(args, "--shape") ?? "gpt2-small";
        int sample = int.Parse(CommandOptions.Get(args, "--naive-sample") ?? "64", CultureInfo.InvariantCulture);
        bool skipExact = args.Contains("--no-exact");
        using var work = new Workload(shape, prompts: 8, tokens: 20);
        using var context = work.EdgeContext();
        var graph = context.Graph;
        Console.WriteLine($"edges on {shape} ({graph.EdgeCount:N0} edges), 8 IOI prompts × 20 tokens, {ReproducibilityCost.CpuName()}, {Environment.ProcessorCount} cores, float32");

        static double Seconds(Action action)
        {
            var clock = Stopwatch.StartNew();
            action();
            return clock.Elapsed.TotalSeconds;
        }
        void Report(string what, double naive, double fast, string note = "") =>
            Console.WriteLine(FormattableString.Invariant($"  {what,-16} naive {naive,10:F2} s   Concord {fast,10:F2} s   naive/Concord {naive / fast,6:F1}×{note}"));

        // Warm-up: one of each, so first-call costs (allocator, kernels) fall on no measurement.
        EdgeAttributionPatching.Attribute(context);
        NaiveEdgeMethods.ExactPatching(context, 0);

        double eap = Seconds(() => EdgeAttributionPatching.Attribute(context));
        double eapNaive = Seconds(() => NaiveEdgeMethods.Eap(context));
        Report("EAP", eapNaive, eap);
        double eapIg = Seconds(() => EapIg.Attribute(context));
        double eapIgNaive = Seconds(() => NaiveEdgeMethods.EapIg(context));
        Report("EAP-IG (m = 5)", eapIgNaive, eapIg);

        int step = Math.Max(1, graph.EdgeCount / sample);
        var edges = Enumerable.Range(0, graph.EdgeCount).Where(e => e % step == 0).Take(sample).ToList();
        double naiveSample = Seconds(() => { foreach (var e in edges) NaiveEdgeMethods.ExactPatching(context, e); });
        double naivePerEdge = naiveSample / edges.Count;
        Console.WriteLine(FormattableString.Invariant($"  naive exact patching: {naivePerEdge * 1000:F1} ms per edge over {edges.Count} edges spread over the graph → {naivePerEdge * graph.EdgeCount:F0} s for all {graph.EdgeCount:N0} (extrapolated)"));
        if (!skipExact)
        {
            var clock = Stopwatch.StartNew();
            int lastPrinted = -1;
            ExactEdgePatching.Attribute(context, new Progress<int>(done =>
            {
                int percent = done * 100 / graph.Receivers.Count;
                if (percent / 10 != lastPrinted) { lastPrinted = percent / 10; Console.WriteLine(FormattableString.Invariant($"    exact patching: {done}/{graph.Receivers.Count} receivers, {clock.Elapsed.TotalSeconds:F0} s")); }
            }));
            Report("exact patching", naivePerEdge * graph.EdgeCount, clock.Elapsed.TotalSeconds, " (naive extrapolated from the sample)");
        }
        double ig = Seconds(() => EdgeIntegratedGradients.Attribute(context));
        Console.WriteLine(FormattableString.Invariant($"  edge IG (τ = 1e-3): {ig:F2} s"));
        return 0;
    }
}
