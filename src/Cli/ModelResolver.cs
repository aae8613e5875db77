using Concord.Cli.Run;
using Concord.Model;
using Concord.Model.Store;
using TorchSharp;

namespace Concord.Cli;

/// <summary>What <c>--model</c> accepts: a folder with config.json and model.safetensors, a known name in the cache, or the bundled concord-tasks-small.</summary>
public static class ModelResolver
{
    public static string Folder(string model) => new ModelStore().Resolve(DefaultModel.Expand(model));

    public static HookedGpt2 Load(string model, string device = "cpu", bool float64 = false) =>
        HookedGpt2.Load(Folder(model), float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32, DeviceOption.Parse(device));

    /// <summary>The tasks' answer ids and GPT-2's tokenizer need GPT-2's vocabulary; anything else is one clear error.</summary>
    public static void RequireGpt2Vocabulary(HookedGpt2 model)
    {
        if (model.Config.VocabSize != Gpt2Tokenizer.VocabularySize)
            throw new ArgumentException($"the model's vocabulary has {model.Config.VocabSize} tokens; GPT-2's tokenizer and the tasks need {Gpt2Tokenizer.VocabularySize}");
    }
}
