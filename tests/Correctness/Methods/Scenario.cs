using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

/// <summary>
/// A random tiny model and a batch of clean/corrupted prompts of different lengths, all derived
/// from one seed (FsCheck properties draw the seed).
/// </summary>
public sealed class Scenario : IDisposable
{
    public const int Vocab = 37;
    public HookedGpt2 Model { get; }
    public TaskBatch Batch { get; }
    public Gpt2Config Config => Model.Config;
    public int Seed { get; }

    private Scenario(int seed, HookedGpt2 model, TaskBatch batch)
    {
        Seed = seed;
        Model = model;
        Batch = batch;
    }

    /// <param name="identicalCorruption">Corrupted prompts equal to the clean ones (a' = a).</param>
    public static Scenario Create(int seed, ScalarType dtype = ScalarType.Float64, int? prompts = null, bool identicalCorruption = false,
        MetricReadout readout = MetricReadout.LogitDifference, Gpt2Config? config = null)
    {
        var random = new Random(seed);
        int heads = random.Next(1, 4);
        config ??= new Gpt2Config(NLayer: random.Next(1, 4), NHead: heads, NEmbd: heads * random.Next(2, 5), NPositions: 16, VocabSize: Vocab);
        var model = RandomGpt2.Create(config, seed, std: 0.4, dtype: dtype);
        int count = prompts ?? random.Next(1, 4);
        var clean = new List<int[]>();
        var corrupted = new List<int[]>();
        var examples = new List<TaskExample>();
        for (int i = 0; i < count; i++)
        {
            var tokens = Enumerable.Range(0, random.Next(3, 8)).Select(_ => random.Next(config.VocabSize)).ToArray();
            var changed = (int[])tokens.Clone();
            if (!identicalCorruption)
                for (int k = 0; k < 2; k++) changed[random.Next(tokens.Length)] = random.Next(config.VocabSize);
            clean.Add(tokens);
            corrupted.Add(changed);
            int good = random.Next(config.VocabSize), bad;
            do bad = random.Next(config.VocabSize); while (bad == good);
            examples.Add(new TaskExample(i + 1, "", "", [good, random.Next(config.VocabSize)], [bad]));
        }
        return new Scenario(seed, model, TaskBatch.FromIds(clean, corrupted, examples, readout, dtype));
    }

    /// <summary>The batch with clean and corrupted swapped.</summary>
    public TaskBatch Swapped(MetricReadout readout = MetricReadout.LogitDifference) =>
        TaskBatch.FromIds(Rows(Batch.Corrupted), Rows(Batch.Clean), Batch.Examples, readout, Model.DType);

    private static int[][] Rows(TokenBatch tokens) =>
        Enumerable.Range(0, tokens.Count).Select(i => tokens.Tokens[i, ..tokens.Lengths[i]].ToDoubles().Select(v => (int)v).ToArray()).ToArray();

    /// <summary>Hooks that replace every attention pattern by the clean run's (batch-size adaptive, for stacked runs).</summary>
    public HookSet FrozenPatterns()
    {
        using var cache = new ActivationCache(p => p.Kind == HookKind.Pattern);
        Model.Run(Batch.Clean.Tokens, cache: cache).Dispose();
        var hooks = new HookSet();
        long b = Batch.Count;
        for (int l = 0; l < Config.NLayer; l++)
        {
            var frozen = cache[HookPoint.Pattern(l)].clone().DetachFromDisposeScope();
            hooks.Add(HookPoint.Pattern(l), (v, _) => frozen.repeat(v.shape[0] / b, 1, 1, 1));
        }
        return hooks;
    }

    public AttributionContext Context(AttributionOptions? options = null, TaskBatch? batch = null, HookedGpt2? model = null) =>
        AttributionContext.Create(model ?? Model, batch ?? Batch, TargetSpace.BuiltIn, options);

    public override string ToString() => $"seed {Seed}: {Config.NLayer} layers, {Config.NHead} heads, d_model {Config.NEmbd}, {Batch.Count} prompts";

    public void Dispose()
    {
        Batch.Dispose();
        Model.Dispose();
    }
}
