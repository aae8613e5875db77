using System.Diagnostics;
using System.Globalization;
using Concord.Methods.Edges;
using Concord.Model;

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
        using var _ = TorchSharp.torch.NewDisposeScope();
        using var work = new Workload(shape, prompts: 8, tokens: 20);
        using var context = work.EdgeContext();
        var graph = context.Graph;
        Console.WriteLine($"edges on {shape} ({graph.EdgeCount:N0} edges), 8 IOI prompts × 20 tokens, {ReproducibilityCost.CpuName()}, {Environment.ProcessorCount} cores, float32");

        // Peak resident memory of each measurement above what the set-up holds (libtorch's tensors are native).
        using var gauge = Concord.Benchmarks.Devices.MemoryGauge.For("cpu");
        long setup = gauge.CurrentBytes();
        double Seconds(Action action)
        {
            gauge.ResetPeak();
            var clock = Stopwatch.StartNew();
            action();
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(FormattableString.Invariant($"    ({seconds:F2} s, peak {(gauge.PeakBytes() - setup) / 1e9:F2} GB above the set-up)"));
            return seconds;
        }
        void Report(string what, double naive, double fast, string note = "") =>
            Console.WriteLine(FormattableString.Invariant($"  {what,-16} naive {naive,10:F2} s   Concord {fast,10:F2} s   naive/Concord {naive / fast,6:F1}×{note}"));

        // Warm-up: one of each, so first-call costs (the allocator's first touch of the largest blocks,
        // measured at several times a warm call's, and kernel set-up) fall on no measurement.
        EdgeAttributionPatching.Attribute(context);
        NaiveEdgeMethods.Eap(context);
        EapIg.Attribute(context);
        NaiveEdgeMethods.EapIg(context);
        NaiveEdgeMethods.ExactPatching(context, 0);

        if (args.Contains("--parts"))
        {
            var tokens = context.Runs.BaseTokens;
            foreach (int repeats in new[] { 1, 2 })
            {
                double run = Seconds(() =>
                {
                    using var scope = TorchSharp.torch.NewDisposeScope();
                    EdgeGradients.AtRun(context, tokens.Tokens.RepeatAlongBatch(repeats), tokens.LastPositions.repeat(repeats), context.OtherRepeated(repeats),
                        Concord.Model.Edges.EdgeMask.None(repeats * context.Batch, context.Model.DType, context.Model.Device), repeats);
                });
                Console.WriteLine(FormattableString.Invariant($"  recorded uniform run + backward, {repeats * context.Batch} rows: {run:F2} s"));
            }
            using (var scope = TorchSharp.torch.NewDisposeScope())
            {
                var (_, gradients, _) = EdgeGradients.AtRun(context, tokens.Tokens, tokens.LastPositions, context.OtherSenders,
                    Concord.Model.Edges.EdgeMask.None(context.Batch, context.Model.DType, context.Model.Device), 1);
                var deltas = context.BaseDeltas();
                Console.WriteLine(FormattableString.Invariant($"  contraction of every edge: {Seconds(() => gradients.Scores(graph, deltas).Dispose()):F2} s"));
            }
            Console.WriteLine(FormattableString.Invariant($"  rows per recorded chunk: {context.RecordedRowsPerChunk(withDeltas: false)} at θ = 0 (EAP, EAP-IG), {context.RecordedRowsPerChunk()} along the mask path (edge IG)"));
            foreach (int m in new[] { 1, 2, 5 })
                Console.WriteLine(FormattableString.Invariant($"  EAP-IG, m = {m}: {Seconds(() => EapIg.Attribute(context, m)):F2} s"));
        }
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
        if (args.Contains("--exact-sample"))
        {
            // Per layer, the stacked runs of two receivers (a head's q input and the MLP) and the logits':
            // a layer's cost per edge times its edges estimates the whole (every receiver of a layer
            // runs the same layers on the same number of rows per sender).
            double total = 0;
            var byLayer = graph.Receivers.Select((r, i) => (r, i)).GroupBy(x => x.r.Kind == Concord.Model.Edges.ReceiverKind.Logits ? graph.Layers : x.r.Layer);
            foreach (var layer in byLayer)
            {
                var sampled = layer.Where(x => x.r.Kind != Concord.Model.Edges.ReceiverKind.Head || (x.r.Head == 0 && x.r.Input == Concord.Model.Edges.ReceiverInput.Q)).ToList();
                double seconds = Seconds(() => { foreach (var x in sampled) ExactEdgePatching.Receiver(context, x.i); });
                int sampledEdges = sampled.Sum(x => graph.SendersInto(x.i)), layerEdges = layer.Sum(x => graph.SendersInto(x.i));
                total += seconds / sampledEdges * layerEdges;
            }
            Report("exact patching", naivePerEdge * graph.EdgeCount, total, " (both extrapolated: naive from its sample, Concord from two receivers per layer)");
        }
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
        EdgeCompleteness? completeness = null;
        double ig = Seconds(() => completeness = EdgeIntegratedGradients.Attribute(context).Completeness);
        Console.WriteLine(FormattableString.Invariant($"  edge IG (τ = 1e-3): {ig:F2} s, {completeness!.Evaluations} gradient evaluations, {(completeness.Converged ? "converged" : completeness.Stopped)}"));
        return 0;
    }
}
