using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Training;
using TorchSharp;

namespace Concord.Tasks.Models;

/// <summary>
/// What a model argument (the CLI's --model) means: a folder with config.json and
/// model.safetensors, a known name in the model cache, or a bundled model (<c>concord-tasks-small</c>, <c>concord-tasks-dropout</c>).
/// Without one: real GPT-2 small when it is in the model cache, else the bundled task model, which
/// performs all six tasks. Random models stay available through `concord model create-random`.
/// </summary>
public static class ModelResolver
{
    public const string BundledName = "concord-tasks-small";
    /// <summary>The same recipe trained with head dropout (each head's output dropped with p = 0.1): redundancy trained in, for the AND/OR analyses.</summary>
    public const string BundledDropoutName = "concord-tasks-dropout";

    /// <summary>The models in the repository's models/ folder, by name.</summary>
    public static IReadOnlyList<string> BundledNames { get; } = [BundledName, BundledDropoutName];

    public static string BundledFolder => BundledFolderOf(BundledName);

    public static string BundledFolderOf(string name) => Path.Combine(ProjectPaths.Root, "models", name);

    /// <summary>A bundled model's name stands for its folder in the repository (unless a folder of that name is right here).</summary>
    public static string Expand(string name) => BundledNames.Contains(name) && !Directory.Exists(name) ? BundledFolderOf(name) : name;

    /// <summary>The folder a model argument names.</summary>
    public static string Folder(string model, ModelStore? store = null) => (store ?? new ModelStore()).Resolve(Expand(model));

    public static HookedGpt2 Load(string model, string device = "cpu", bool float64 = false, CancellationToken cancel = default) =>
        HookedGpt2.Load(Folder(model), float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32, DeviceOption.Parse(device), cancel);

    /// <summary>The tasks' answer ids and GPT-2's tokenizer need GPT-2's vocabulary; anything else is one clear error.</summary>
    public static void RequireGpt2Vocabulary(HookedGpt2 model)
    {
        if (model.Config.VocabSize != Gpt2Tokenizer.VocabularySize)
            throw new ArgumentException($"the model's vocabulary has {model.Config.VocabSize} tokens; GPT-2's tokenizer and the tasks need {Gpt2Tokenizer.VocabularySize}");
    }

    /// <summary>The model to run (<paramref name="requested"/>, or the default when null) and what it is.</summary>
    /// <remarks>
    /// By default only the model cache is consulted for GPT-2 small, never a folder that happens to
    /// be called gpt2 in the working directory; and a folder is called GPT-2 small only when its
    /// weights are the published checkpoint's, byte for byte.
    /// </remarks>
    public static ResolvedModel Resolve(string? requested, ModelStore store, CancellationToken cancel = default)
    {
        if (requested is not null) return Describe(store.Resolve(Expand(requested)), requested, cancel: cancel);
        if (store.TryResolveCached("gpt2", out var gpt2)) return Describe(gpt2, "gpt2", cancel: cancel);
        if (!ModelStore.IsComplete(BundledFolder))
            throw new ModelFileException($"{BundledFolder}: the bundled model {BundledName} is missing (a partial clone?)", new Remedy("Model", "can name another model"));
        return Describe(BundledFolder, BundledName, " (GPT-2 small is not in the model cache)", cancel);
    }

    /// <summary>What a model folder holds: GPT-2 small (verified), a model Concord trained, a random model, or another model named by its folder.</summary>
    public static ResolvedModel Describe(string folder, string name, string why = "", CancellationToken cancel = default)
    {
        var identity = ModelIdentity.Of(folder, cancel);
        if (identity.IsGpt2Small)
            return new ResolvedModel(name, identity, "GPT-2 small (openai-community/gpt2; weights SHA-256 verified)", ModelKind.Gpt2);
        if (IsRandom(folder)) return new ResolvedModel(name, identity, $"{name} (a random model)", ModelKind.Random);
        if (TrainingRecord.TryRead(folder) is { } record)
        {
            var config = identity.Config;
            return new ResolvedModel(name, identity,
                $"{name}: a {config.NLayer}-layer GPT-2 ({config.NHead} heads, d_model {config.NEmbd}) trained by Concord on the six tasks " +
                $"({record.Steps:N0} steps, seed {record.Seed}); not GPT-2{why}",
                ModelKind.Trained, EvaluationFile.TryRead(folder));
        }
        // A folder named gpt2 whose weights are not the published ones is named by its folder, not "GPT-2 small".
        return new ResolvedModel(name, identity, $"{Path.GetFullPath(folder)} ({identity.Config.NLayer} layers, d_model {identity.Config.NEmbd}; not the published GPT-2 small checkpoint)", ModelKind.Other);
    }

    private static bool IsRandom(string folder)
    {
        try { return SafetensorsFile.Open(Path.Combine(folder, "model.safetensors")).Metadata.ContainsKey("concord_seed"); }
        catch (ModelFileException) { return false; }
    }
}
