using Concord.Tasks.Models;
using Concord.Model;
using Concord.Model.Store;

namespace Concord.Tests.Support;

/// <summary>The deterministic small models the agreement and end-to-end tests run on, and the real GPT-2 weights when configured.</summary>
public static class TestModels
{
    /// <summary>GPT-2's vocabulary (the tasks' answer ids need it) on a tiny body; std 0.15 so attention and GELU bend.</summary>
    public static Gpt2Config TinyConfig { get; } = new(NLayer: 2, NHead: 4, NEmbd: 32, NPositions: 64, VocabSize: Gpt2Tokenizer.VocabularySize);
    public const int TinySeed = 7;
    public const double TinyStd = 0.15;

    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = TempFolder.New($"tiny-gpt2-vocab-{TinySeed}");
        RandomGpt2.Save(folder, TinyConfig, TinySeed, TinyStd);
        return folder;
    });

    /// <summary>A folder with config.json and model.safetensors of the tiny model (written once per test run).</summary>
    public static string TinyFolder => Folder.Value;

    /// <summary>The tiny model loaded as a study loads it (resolved through the model store), in <paramref name="dtype"/>; the caller disposes the model.</summary>
    public static (HookedGpt2 Model, ResolvedModel Resolved) LoadTiny(TorchSharp.torch.ScalarType dtype)
    {
        var resolved = ModelResolver.Resolve(TinyFolder, new ModelStore());
        return (HookedGpt2.Load(resolved.Folder, dtype), resolved);
    }

    /// <summary>The bundled task model (models/concord-tasks-small): it performs the six tasks, so the fixtures measure something true.</summary>
    public static string TaskModelFolder => Concord.Tasks.Models.ModelResolver.BundledFolder;

    public const string RealWeightsVariable = "CONCORD_GPT2";

    /// <summary>A folder with real GPT-2 small weights: $CONCORD_GPT2, else the model cache; null when neither has them.</summary>
    public static string? RealGpt2Folder()
    {
        if (Environment.GetEnvironmentVariable(RealWeightsVariable) is { Length: > 0 } path && ModelStore.IsComplete(path)) return path;
        return new ModelStore().TryResolveCached("gpt2", out var cached) ? cached : null;
    }
}
