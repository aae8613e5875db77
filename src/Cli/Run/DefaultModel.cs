using Concord.Model;
using Concord.Model.Store;

namespace Concord.Cli.Run;

/// <summary>The model a run uses: the one asked for, else real GPT-2 small when cached, else a seeded random model the project creates.</summary>
public sealed record ResolvedModel(string Folder, string Description, bool IsRandom);

public static class DefaultModel
{
    public const string RandomName = "concord-random-small";
    public const int RandomSeed = 0;
    /// <summary>Weight scale of the fallback model: GPT-2's 0.02 leaves a random model almost linear (every method agrees
    /// trivially); 0.15 gives attention patterns and GELUs that bend, so the agreement statistics have something to measure.</summary>
    public const double RandomStd = 0.15;

    /// <summary>The shape of the fallback model: small enough for the whole run in minutes on two cores, GPT-2's vocabulary so the tasks' tokens apply.</summary>
    public static Gpt2Config RandomConfig { get; } = new(NLayer: 4, NHead: 8, NEmbd: 128, NPositions: 128, VocabSize: Gpt2Tokenizer.VocabularySize);

    public static ResolvedModel Resolve(string? requested, ModelStore store)
    {
        if (requested is not null)
        {
            var folder = store.Resolve(requested);
            bool random = IsRandom(folder);
            return new ResolvedModel(folder, random ? $"{requested} (a random model)" : requested, random);
        }
        if (store.TryResolve("gpt2", out var gpt2)) return new ResolvedModel(gpt2, "GPT-2 small (openai-community/gpt2, from the model cache)", false);
        var own = store.FolderFor(RandomName);
        // Recreated when missing or made by a version of Concord with another shape.
        if (!ModelStore.IsComplete(own) || Gpt2Config.Load(Path.Combine(own, "config.json")) != RandomConfig || !HasStd(own, RandomStd))
            RandomGpt2.Save(own, RandomConfig, RandomSeed, RandomStd);
        return new ResolvedModel(own,
            $"{RandomName}: a seeded random GPT-2 ({RandomConfig.NLayer} layers, {RandomConfig.NHead} heads, d_model {RandomConfig.NEmbd}, weight std {RandomStd}, seed {RandomSeed}), used because GPT-2 small is not in the model cache",
            true);
    }

    private static bool HasStd(string folder, double std) =>
        Model.Safetensors.SafetensorsFile.Open(Path.Combine(folder, "model.safetensors")).Metadata.GetValueOrDefault("concord_std")
        == std.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsRandom(string folder)
    {
        try { return Model.Safetensors.SafetensorsFile.Open(Path.Combine(folder, "model.safetensors")).Metadata.ContainsKey("concord_seed"); }
        catch (ModelFileException) { return false; }
    }
}
