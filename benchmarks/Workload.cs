using Concord.Methods.Attribution;
using Concord.Methods.Targets;
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

    /// <param name="tokens">Every prompt is cut or cycled to exactly this many tokens (0: the prompts' own lengths).</param>
    public Workload(string shape, int prompts, int tokens = 0, string device = "cpu")
    {
        var config = Shape(shape);
        Model = RandomGpt2.Create(config, seed: 1234, device: DeviceOption.Parse(device));
        var (dataset, examples, clean, corrupted) = Prompts(prompts, tokens);
        Batch = TaskBatch.FromIds(clean, corrupted, examples, dataset.Readout, Model.DType, Model.Device, Gpt2Tokenizer.EndOfText);
    }

    /// <summary>The workload's prompts as token ids, without a model: the first rows of the project's IOI set (15–20 tokens with BOS).</summary>
    /// <param name="tokens">Every prompt is cut or cycled to exactly this many tokens (0: the prompts' own lengths).</param>
    public static (TaskDataset Dataset, List<TaskExample> Examples, List<int[]> Clean, List<int[]> Corrupted) Prompts(int prompts, int tokens)
    {
        var resources = new TaskResources();
        var dataset = TaskDataset.Load(TaskKind.Ioi, resources.DefaultFile(TaskKind.Ioi), resources);
        var examples = dataset.Examples.Take(prompts).ToList();
        int[] Fit(string text)
        {
            var ids = resources.Tokenizer.Encode(text);
            return tokens <= 0 ? ids : Enumerable.Range(0, tokens).Select(i => ids[i % ids.Length]).ToArray();
        }
        return (dataset, examples, examples.Select(e => Fit(e.Clean)).ToList(), examples.Select(e => Fit(e.Corrupted)).ToList());
    }

    /// <summary>
    /// The positions every run from a hook shares with the base run (prefix reuse): the smallest
    /// first differing position over the prompts, as <see cref="AttributionContext.PrefixLength"/>
    /// computes it from the padded batch. The FLOP counts need it without building a model.
    /// </summary>
    public static int PrefixLength(int prompts, int tokens)
    {
        var (_, _, clean, corrupted) = Prompts(prompts, tokens);
        int width = clean.Max(ids => ids.Length);
        return clean.Zip(corrupted, (a, b) => SharedPrefix.LengthOf(Array.ConvertAll(a, i => (long)i), Array.ConvertAll(b, i => (long)i), a.Length)).Append(width).Min();
    }

    public static Gpt2Config Shape(string shape) => shape switch
    {
        "tiny" => new Gpt2Config(2, 4, 64, 128, Gpt2Tokenizer.VocabularySize),
        "gpt2-small" => Gpt2Config.Gpt2Small,
        _ => throw new ArgumentException($"unknown model shape '{shape}' (tiny, gpt2-small)"),
    };

    public int Tokens => Batch.Clean.Width;

    /// <param name="reusePrefix">Compute runs from a hook only from the first differing token on (the default); false for the full recompute it replaces.</param>
    /// <summary>The edge methods' context on the workload's batch (noising, resampled).</summary>
    public Concord.Methods.Edges.EdgeContext EdgeContext() =>
        Concord.Methods.Edges.EdgeContext.Create(Model, Batch.Clean, Batch.Corrupted, Batch.Metric);

    public AttributionContext Context(bool gradientAtBase = false, bool reusePrefix = true, params TargetSpace[] kinds) =>
        AttributionContext.Create(Model, Batch, kinds.Length == 0 ? [TargetSpace.Head] : kinds,
            new AttributionOptions { ReusePrefix = reusePrefix }, gradientAtBase);

    public void Dispose()
    {
        Batch.Dispose();
        Model.Dispose();
    }
}
