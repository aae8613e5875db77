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

    /// <summary>Reads the whole weights file once (about a second for GPT-2 small).</summary>
    public static ModelIdentity Of(string folder)
    {
        var weights = Path.Combine(folder, "model.safetensors");
        var config = Path.Combine(folder, "config.json");
        if (!File.Exists(weights)) throw new ModelFileException($"{folder}: no model.safetensors");
        if (!File.Exists(config)) throw new ModelFileException($"{folder}: no config.json");
        return new ModelIdentity(Path.GetFullPath(folder), FileHash.Sha256(weights), new FileInfo(weights).Length, FileHash.Sha256(config), Gpt2Config.Load(config));
    }
}
