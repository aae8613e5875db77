using BenchmarkDotNet.Running;
using static TorchSharp.torch;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// Which products a benchmark case performs, from its class, method and parameters; null where
/// the work is not fixed in advance (adaptive IG picks its node count as it runs) or not counted
/// (AtP, the whole pipeline).
/// </summary>
public static class BenchmarkWork
{
    /// <summary>The number type a case computes in: the product benchmark's parameter, else the models' float32.</summary>
    public static ScalarType DTypeOf(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(i => i.Name == "DType")?.Value is string t ? MatrixProductBenchmarks.TypeOf(t) : ScalarType.Float32;

    public static string DeviceOf(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(i => i.Name == "Device")?.Value as string ?? "cpu";

    public static List<MatrixProduct>? For(BenchmarkCase benchmarkCase)
    {
        object? Param(string name) => benchmarkCase.Parameters.Items.FirstOrDefault(i => i.Name == name)?.Value;
        // One call of the product benchmark runs several products (per device).
        if (benchmarkCase.Descriptor.Type == typeof(MatrixProductBenchmarks) && Param("Product") is string product)
            return [.. Enumerable.Repeat(MatrixProductBenchmarks.Named(product), MatrixProductBenchmarks.ProductsPerInvocation(DeviceOf(benchmarkCase)))];
        if (Param("Shape") is not string shape || Param("Prompts") is not int prompts || Param("Tokens") is not int tokens) return null;
        return For(benchmarkCase.Descriptor.Type.Name, benchmarkCase.Descriptor.WorkloadMethod.Name, shape, prompts, tokens, Param("Steps") as int? ?? 0);
    }

    private static readonly Dictionary<(int, int), int> Prefixes = [];

    public static List<MatrixProduct>? For(string type, string method, string shape, int prompts, int tokens, int steps)
    {
        var config = Workload.Shape(shape);
        int prefix;
        lock (Prefixes)
            if (!Prefixes.TryGetValue((prompts, tokens), out prefix))
                Prefixes[(prompts, tokens)] = prefix = Workload.PrefixLength(prompts, tokens);
        // The benchmarks' models are float32 (RandomGpt2's default).
        var work = new AlgorithmWork(config, prompts, tokens, prefix, ScalarType.Float32);
        var all = Enumerable.Range(0, config.NLayer);
        return (type, method) switch
        {
            (nameof(ActivationPatchingBenchmarks), nameof(ActivationPatchingBenchmarks.Heads)) => work.ActivationPatchingHeads(),
            (nameof(ActivationPatchingBenchmarks), nameof(ActivationPatchingBenchmarks.HeadsFullRecompute)) => work.ActivationPatchingHeads(reusePrefix: false),
            (nameof(ActivationPatchingBenchmarks), nameof(ActivationPatchingBenchmarks.HeadsNaive)) => work.NaiveActivationPatching(all, config.NHead),
            (nameof(NeuronPatchingBenchmarks), nameof(NeuronPatchingBenchmarks.NeuronSlice)) => work.ActivationPatchingNeurons(config.NLayer / 2, NeuronPatchingBenchmarks.Slice),
            (nameof(NeuronPatchingBenchmarks), nameof(NeuronPatchingBenchmarks.NeuronSliceNaive)) => work.NaiveActivationPatching([config.NLayer / 2], NeuronPatchingBenchmarks.Slice),
            (nameof(IntegratedGradientsBenchmarks), nameof(IntegratedGradientsBenchmarks.HeadsAllLayers)) => work.IntegratedGradientsHeads(all, steps),
            (nameof(IntegratedGradientsBenchmarks), nameof(IntegratedGradientsBenchmarks.HeadsAllLayersFullRecompute)) => work.IntegratedGradientsHeads(all, steps, reusePrefix: false),
            (nameof(IntegratedGradientsBenchmarks), nameof(IntegratedGradientsBenchmarks.HeadsOneLayer)) => work.IntegratedGradientsHeads([0], steps),
            (nameof(IntegratedGradientsBenchmarks), nameof(IntegratedGradientsBenchmarks.HeadsAllLayersNaive)) => work.NaiveIntegratedGradientsHeads(steps),
            (nameof(ForwardBenchmarks), nameof(ForwardBenchmarks.FullLogits)) => work.Forward(lastTokenOnly: false),
            (nameof(ForwardBenchmarks), nameof(ForwardBenchmarks.LastTokenLogits)) => work.Forward(lastTokenOnly: true),
            _ => null,
        };
    }
}
