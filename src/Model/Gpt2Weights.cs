using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Model;

/// <summary>The weights of one block, in the [in, out] layout of Hugging Face's Conv1D.</summary>
public sealed record BlockWeights(
    Tensor Ln1Weight, Tensor Ln1Bias,
    Tensor WQ, Tensor WK, Tensor WV, Tensor BQ, Tensor BK, Tensor BV,
    Tensor WO, Tensor BO,
    Tensor Ln2Weight, Tensor Ln2Bias,
    Tensor WIn, Tensor BIn, Tensor WOut, Tensor BOut)
{
    public IEnumerable<Tensor> All => [Ln1Weight, Ln1Bias, WQ, WK, WV, BQ, BK, BV, WO, BO, Ln2Weight, Ln2Bias, WIn, BIn, WOut, BOut];
}

/// <summary>All weights of a GPT-2, as tensors on one device and dtype. The unembedding is tied to <see cref="TokenEmbedding"/>.</summary>
public sealed class Gpt2Weights : IDisposable
{
    public required Gpt2Config Config { get; init; }
    public required Tensor TokenEmbedding { get; init; }     // [vocab, d]
    public required Tensor PositionEmbedding { get; init; }  // [n_positions, d]
    public required IReadOnlyList<BlockWeights> Blocks { get; init; }
    public required Tensor LnFinalWeight { get; init; }
    public required Tensor LnFinalBias { get; init; }

    public IEnumerable<Tensor> All =>
        new[] { TokenEmbedding, PositionEmbedding, LnFinalWeight, LnFinalBias }.Concat(Blocks.SelectMany(b => b.All));

    /// <summary>
    /// Reads HF GPT-2 weights (keys with or without the <c>transformer.</c> prefix; F32, F16, BF16 or F64).
    /// Ctrl-C (<paramref name="cancel"/>) is honoured between tensors: the largest, GPT-2 XL's embedding, reads in well under a second.
    /// </summary>
    public static Gpt2Weights Load(string safetensorsPath, Gpt2Config config, ScalarType dtype = ScalarType.Float32, Device? device = null,
        CancellationToken cancel = default)
    {
        var file = SafetensorsFile.Open(safetensorsPath);
        string prefix = file.Entries.Keys.Any(k => k.StartsWith("transformer.", StringComparison.Ordinal)) ? "transformer." : "";
        int d = config.NEmbd, m = config.DMlp;
        device ??= CPU;

        Tensor T(string key, params long[] shape)
        {
            cancel.ThrowIfCancellationRequested();
            var values = file.ReadSingles(prefix + key, shape);
            using var cpu = tensor(values, shape);
            return cpu.to(dtype, device);
        }

        var blocks = new List<BlockWeights>();
        for (int l = 0; l < config.NLayer; l++)
        {
            string h = $"h.{l}.";
            using var scope = NewDisposeScope();
            var cAttn = T(h + "attn.c_attn.weight", d, 3 * d);
            var cAttnBias = T(h + "attn.c_attn.bias", 3 * d);
            var block = new BlockWeights(
                T(h + "ln_1.weight", d), T(h + "ln_1.bias", d),
                cAttn[.., ..d].contiguous(), cAttn[.., d..(2 * d)].contiguous(), cAttn[.., (2 * d)..].contiguous(),
                cAttnBias[..d].contiguous(), cAttnBias[d..(2 * d)].contiguous(), cAttnBias[(2 * d)..].contiguous(),
                T(h + "attn.c_proj.weight", d, d), T(h + "attn.c_proj.bias", d),
                T(h + "ln_2.weight", d), T(h + "ln_2.bias", d),
                T(h + "mlp.c_fc.weight", d, m), T(h + "mlp.c_fc.bias", m),
                T(h + "mlp.c_proj.weight", m, d), T(h + "mlp.c_proj.bias", d));
            foreach (var t in block.All) t.MoveToOuterDisposeScope();
            blocks.Add(block);
        }
        return new Gpt2Weights
        {
            Config = config,
            TokenEmbedding = T("wte.weight", config.VocabSize, d),
            PositionEmbedding = T("wpe.weight", config.NPositions, d),
            Blocks = blocks,
            LnFinalWeight = T("ln_f.weight", d),
            LnFinalBias = T("ln_f.bias", d),
        };
    }

    /// <summary>Writes the weights in HF layout (F32, or F16/BF16 to test half-precision checkpoints).</summary>
    public void Save(string safetensorsPath, bool transformerPrefix = false, SafetensorsDType dtype = SafetensorsDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var writer = new SafetensorsWriter();
        string prefix = transformerPrefix ? "transformer." : "";
        void Add(string key, Tensor t)
        {
            using var cpu = t.detach().to(ScalarType.Float32, CPU).contiguous();
            var values = cpu.data<float>().ToArray();
            var shape = cpu.shape;
            if (dtype == SafetensorsDType.F32) writer.Add(prefix + key, shape, values);
            else writer.AddHalf(prefix + key, shape, values, dtype);
        }
        Add("wte.weight", TokenEmbedding);
        Add("wpe.weight", PositionEmbedding);
        for (int l = 0; l < Blocks.Count; l++)
        {
            var b = Blocks[l];
            string h = $"h.{l}.";
            Add(h + "ln_1.weight", b.Ln1Weight);
            Add(h + "ln_1.bias", b.Ln1Bias);
            using (var cAttn = cat([b.WQ, b.WK, b.WV], 1)) Add(h + "attn.c_attn.weight", cAttn);
            using (var cAttnBias = cat([b.BQ, b.BK, b.BV], 0)) Add(h + "attn.c_attn.bias", cAttnBias);
            Add(h + "attn.c_proj.weight", b.WO);
            Add(h + "attn.c_proj.bias", b.BO);
            Add(h + "ln_2.weight", b.Ln2Weight);
            Add(h + "ln_2.bias", b.Ln2Bias);
            Add(h + "mlp.c_fc.weight", b.WIn);
            Add(h + "mlp.c_fc.bias", b.BIn);
            Add(h + "mlp.c_proj.weight", b.WOut);
            Add(h + "mlp.c_proj.bias", b.BOut);
        }
        Add("ln_f.weight", LnFinalWeight);
        Add("ln_f.bias", LnFinalBias);
        writer.Metadata("format", "pt");
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) writer.Metadata(k, v);
        writer.Save(safetensorsPath);
    }

    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}
