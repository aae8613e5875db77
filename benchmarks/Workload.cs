using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Model;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Benchmarks;

/// <summary>
/// A benchmark workload: a seeded random model of a named shape and a batch of IOI prompts from
/// the project's dataset, truncated or chosen to about the requested token count.
/// </summary>
public sealed class Workload : IDisposable
{
    public HookedGpt2 Model { get; }
    public TaskBatch Batch { get; }

    public Workload(string shape, int prompts, string device = "cpu")
    {
        var config = Shape(shape);
        Model = RandomGpt2.Create(config, seed: 1234, device: DeviceOption.Parse(device));
        var resources = new TaskResources();
        var dataset = TaskDataset.Load(TaskKind.Ioi, resources.DefaultFile(TaskKind.Ioi), resources);
        // IOI prompts are 15–20 tokens with BOS; take the first `prompts` rows for a fixed workload.
        Batch = TaskBatch.Create(dataset, dataset.Examples.Take(prompts).ToList(), resources.Tokenizer, Model.DType, Model.Device);
    }

    public static Gpt2Config Shape(string shape) => shape switch
    {
        "tiny" => new Gpt2Config(2, 4, 64, 128, Gpt2Tokenizer.VocabularySize),
        "gpt2-small" => Gpt2Config.Gpt2Small,
        _ => throw new ArgumentException($"unknown model shape '{shape}' (tiny, gpt2-small)"),
    };

    public int Tokens => Batch.Clean.Width;

    public AttributionContext Context(int steps = 50, bool gradientAtBase = false, params ComponentKind[] kinds) =>
        AttributionContext.Create(Model, Batch, kinds.Length == 0 ? [ComponentKind.Head] : kinds, new AttributionOptions { Steps = steps }, gradientAtBase);

    public void Dispose()
    {
        Batch.Dispose();
        Model.Dispose();
    }
}
