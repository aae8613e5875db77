using static TorchSharp.torch;

namespace Concord.Model;

/// <summary>
/// Seeded random GPT-2s of any config, for tests, benchmarks and the CLI. The values come from a
/// .NET generator (not libtorch's), so a seed gives the same model on every machine.
/// </summary>
public static class RandomGpt2
{
    /// <param name="std">Standard deviation of the weight matrices. HF initialises with 0.02; tiny
    /// test models use larger values so that attention and GELU are far from linear.</param>
    /// <param name="cancel">Checked between tensors and within large ones: a model of thousands of layers stops within a fraction of a second.</param>
    public static Gpt2Weights CreateWeights(Gpt2Config config, int seed, double std = 0.02,
        ScalarType dtype = ScalarType.Float32, Device? device = null, CancellationToken cancel = default)
    {
        config.Validate();
        var rng = new Random(seed);
        device ??= CPU;
        int d = config.NEmbd, m = config.DMlp;

        Tensor Normal(double mean, double sd, params long[] shape)
        {
            long n = shape.Aggregate(1L, (a, b) => a * b);
            cancel.ThrowIfCancellationRequested();
            var values = new float[n];
            for (long i = 0; i < n; i += 2)
            {
                if ((i & ((1 << 22) - 1)) == 0) cancel.ThrowIfCancellationRequested();
                // Box–Muller: two normals from two uniforms.
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                double r = Math.Sqrt(-2.0 * Math.Log(u1));
                values[i] = (float)(mean + sd * r * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < n) values[i + 1] = (float)(mean + sd * r * Math.Sin(2 * Math.PI * u2));
            }
            using var cpu = tensor(values, shape);
            return cpu.to(dtype, device).DetachFromDisposeScope();
        }

        // GPT-2 scales the residual-writing projections by 1/sqrt(2 n_layer).
        double projStd = std / Math.Sqrt(2.0 * config.NLayer);
        var blocks = new List<BlockWeights>();
        for (int l = 0; l < config.NLayer; l++)
        {
            blocks.Add(new BlockWeights(
                Normal(1, 0.1, d), Normal(0, 0.05, d),
                Normal(0, std, d, d), Normal(0, std, d, d), Normal(0, std, d, d),
                Normal(0, 0.05, d), Normal(0, 0.05, d), Normal(0, 0.05, d),
                Normal(0, projStd, d, d), Normal(0, 0.05, d),
                Normal(1, 0.1, d), Normal(0, 0.05, d),
                Normal(0, std, d, m), Normal(0, 0.05, m),
                Normal(0, projStd, m, d), Normal(0, 0.05, d)));
        }
        return new Gpt2Weights
        {
            Config = config,
            TokenEmbedding = Normal(0, std, config.VocabSize, d),
            PositionEmbedding = Normal(0, std / 2, config.NPositions, d),
            Blocks = blocks,
            LnFinalWeight = Normal(1, 0.1, d),
            LnFinalBias = Normal(0, 0.05, d),
        };
    }

    /// <summary>
    /// The largest tensor's element count and the bytes <see cref="Save"/> holds at its peak, in double
    /// so that no shape overflows: every float32 tensor twice (libtorch's, and the safetensors writer's
    /// copy until the file is written), plus the largest one's two staging arrays. Counting the tensors
    /// once let a model twice the free memory start, and fail many minutes later.
    /// </summary>
    public static (double LargestTensor, double PeakBytes) Size(Gpt2Config config)
    {
        double d = config.NEmbd, m = 4.0 * config.NEmbd, layers = config.NLayer;
        if (config.NInner is int inner) m = inner;
        double largest = new[] { (double)config.VocabSize * d, (double)config.NPositions * d, d * d, d * m }.Max();
        double parameters = (double)config.VocabSize * d + (double)config.NPositions * d + 2 * d
                            + layers * (4 * d + 4 * d * d + 4 * d + 2 * d * m + m + d);
        return (largest, 8 * parameters + 8 * largest);
    }

    public static HookedGpt2 Create(Gpt2Config config, int seed, double std = 0.02,
        ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        new(CreateWeights(config, seed, std, dtype, device));

    /// <summary>Writes config.json and model.safetensors into <paramref name="folder"/> (created if needed).</summary>
    /// <remarks>The folder is created only once the weights exist, so a cancelled creation leaves none.</remarks>
    public static void Save(string folder, Gpt2Config config, int seed, double std = 0.02, bool transformerPrefix = false, CancellationToken cancel = default)
    {
        using var weights = CreateWeights(config, seed, std, cancel: cancel);
        cancel.ThrowIfCancellationRequested();
        Directory.CreateDirectory(folder);
        weights.Save(Path.Combine(folder, "model.safetensors"), transformerPrefix, metadata: new Dictionary<string, string>
        {
            ["concord_seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["concord_std"] = std.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
        config.Save(Path.Combine(folder, "config.json"));
    }
}
