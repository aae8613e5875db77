using Concord.Model;

namespace Concord.Tasks.Models;

/// <summary>
/// What a model folder holds, by content: the SHA-256 of its weights and of its config, and its
/// shape. Cached units and reports name a model by this, never by its folder's name.
/// </summary>
public sealed record ModelIdentity(string Folder, string WeightsSha256, long WeightsBytes, string ConfigSha256, Gpt2Config Config)
{
    /// <summary>
    /// openai-community/gpt2's model.safetensors (548,105,171 bytes), the file `concord model
    /// download gpt2` fetches; its SHA-256 as published with the Hugging Face checkpoint.
    /// </summary>
    public const string Gpt2SmallWeightsSha256 = "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707";
    public const long Gpt2SmallWeightsBytes = 548_105_171;

    /// <summary>The published GPT-2 small checkpoint: its shape and, byte for byte, its weights.</summary>
    public bool IsGpt2Small =>
        WeightsBytes == Gpt2SmallWeightsBytes && WeightsSha256 == Gpt2SmallWeightsSha256
        && Config is { NLayer: 12, NHead: 12, NEmbd: 768, NPositions: 1024, VocabSize: 50257 };

    /// <summary>
    /// Reads the whole weights file once (about a second for GPT-2 small), after its size has been checked
    /// against its header and its config (<see cref="RequireSize"/>): a bogus or padded file is refused in
    /// milliseconds rather than hashed for minutes. <paramref name="cancel"/> stops the hash within a block.
    /// </summary>
    public static ModelIdentity Of(string folder, CancellationToken cancel = default)
    {
        var weights = Path.Combine(folder, "model.safetensors");
        var configFile = Path.Combine(folder, "config.json");
        if (!File.Exists(weights)) throw new ModelFileException($"{folder}: no model.safetensors");
        if (!File.Exists(configFile)) throw new ModelFileException($"{folder}: no config.json");
        var config = Gpt2Config.Load(configFile);
        RequireSize(weights, config);
        return new ModelIdentity(Path.GetFullPath(folder), FileHash.Sha256(weights, cancel), new FileInfo(weights).Length, FileHash.Sha256(configFile, cancel), config);
    }

    /// <summary>
    /// The most a model.safetensors of <paramref name="config"/>'s GPT-2 can hold: every parameter and every
    /// layer's causal-mask buffer (Hugging Face stores them, as <c>attn.bias</c>) in float64, the widest dtype
    /// read. Published checkpoints in float32 are about half of this.
    /// </summary>
    public static long MaxDataBytes(Gpt2Config config) =>
        8 * (config.ParameterCount + (long)config.NLayer * config.NPositions * config.NPositions);

    /// <summary>
    /// A weights file's size follows from its header: the file must end where its last tensor does (bytes
    /// beyond were never written by a safetensors writer, and a sparse 256 GB file with a small header would
    /// be hashed for minutes), and its tensors cannot be larger than <see cref="MaxDataBytes"/> for the config.
    /// </summary>
    public static void RequireSize(string weights, Gpt2Config config)
    {
        static string N(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        var file = SafetensorsFile.Open(weights);
        long length = new FileInfo(weights).Length, described = file.DescribedLength;
        if (length != described)
            throw new ModelFileException($"{weights}: {N(length)} bytes, but its header describes {N(described)}; the bytes after the last tensor are not a model's (a damaged or padded file)");
        long data = file.Entries.Values.Sum(e => e.End - e.Begin), max = MaxDataBytes(config);
        if (data > max)
            throw new ModelFileException($"{weights}: its tensors take {N(data)} bytes, more than a GPT-2 of its config.json can hold (at most {N(max)}: every parameter and attention mask in float64)");
    }
}
