using Concord.Model;
using Concord.Model.Training;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>
/// The endless, seeded training stream: each step's batch is a function of (seed, step) alone, so a
/// resumed run draws exactly the batches an uninterrupted one would, with no generator state to save.
/// </summary>
public sealed class TaskMixture
{
    private readonly IReadOnlyList<(TaskSampler Sampler, double Cumulative)> _table;
    public IReadOnlyDictionary<TaskKind, TaskSampler> Samplers { get; }

    public TaskMixture(IReadOnlyList<(TaskKind Kind, double Weight)> weights, WordLists words, TaskResources resources, HeldOutSplit split, TaskOptions options)
    {
        if (weights.Count == 0 || weights.Any(w => !(w.Weight > 0))) throw new ArgumentException("mixture weights must be positive");
        Samplers = weights.ToDictionary(w => w.Kind, w => TaskSampler.For(w.Kind, words, resources, split, options));
        double total = weights.Sum(w => w.Weight), running = 0;
        _table = weights.Select(w => (Samplers[w.Kind], running += w.Weight / total)).ToList();
    }

    public IReadOnlyList<TaskSample> Draw(int seed, int step, int count)
    {
        var random = new Random(StepSeed(seed, step));
        var samples = new TaskSample[count];
        for (int i = 0; i < count; i++)
        {
            double u = random.NextDouble();
            var sampler = _table.FirstOrDefault(t => u < t.Cumulative).Sampler ?? _table[^1].Sampler;
            samples[i] = sampler.Sample(random, SplitSide.Training);
        }
        return samples;
    }

    /// <summary>
    /// Every token the training stream, the held-out evaluation and the project's dataset files can
    /// contain: a fixed draw of each sampler on both sides, every answer id, and every prompt of
    /// datasets/*.csv. The trainer refuses a sequence with a token outside it (never silent).
    /// </summary>
    public CompactVocabulary Vocabulary(TaskResources resources, int drawsPerSide = 4000)
    {
        var tokenizer = resources.Tokenizer;
        var ids = new HashSet<int> { Gpt2Tokenizer.EndOfText };
        var random = new Random(HeldOutSplit.DefaultSeed);
        foreach (var sampler in Samplers.Values)
            foreach (var side in new[] { SplitSide.Training, SplitSide.HeldOut })
                for (int i = 0; i < drawsPerSide; i++)
                {
                    var s = sampler.Sample(random, side);
                    ids.UnionWith(tokenizer.Encode(s.Clean));
                    ids.UnionWith(tokenizer.Encode(s.Continuation, prependBos: false));
                    if (s.Corrupted is not null) ids.UnionWith(tokenizer.Encode(s.Corrupted));
                    ids.UnionWith(s.Positive);
                    ids.UnionWith(s.Negative);
                }
        foreach (var kind in Samplers.Keys)
        {
            var file = resources.DefaultFile(kind);
            if (!File.Exists(file)) continue;
            foreach (var e in TaskDataset.Load(kind, file, resources, new TaskOptions { DropInvalid = true }).Examples)
            {
                ids.UnionWith(tokenizer.Encode(e.Clean));
                ids.UnionWith(tokenizer.Encode(e.Corrupted));
                ids.UnionWith(e.Positive);
                ids.UnionWith(e.Negative);
            }
        }
        return new CompactVocabulary(ids, Gpt2Tokenizer.VocabularySize);
    }

    /// <summary>SplitMix64 of (seed, step): independent, platform-stable streams per step.</summary>
    public static int StepSeed(int seed, int step)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)step) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }
}
