using Concord.Model;
using static TorchSharp.torch;

namespace Concord.Tasks;

/// <summary>
/// A batch of task examples ready for a model: clean and corrupted prompts tokenised and
/// right-padded to one width (so positions align across the two), the last real position of each
/// prompt, and the metric's answer tensors.
/// </summary>
public sealed class TaskBatch : IDisposable
{
    public IReadOnlyList<TaskExample> Examples { get; }
    public TokenBatch Clean { get; }
    public TokenBatch Corrupted { get; }
    public TaskMetric Metric { get; }
    public int Count => Examples.Count;

    private TaskBatch(IReadOnlyList<TaskExample> examples, TokenBatch clean, TokenBatch corrupted, TaskMetric metric)
    {
        Examples = examples;
        Clean = clean;
        Corrupted = corrupted;
        Metric = metric;
    }

    public static TaskBatch Create(IReadOnlyList<TaskExample> examples, MetricReadout readout, Gpt2Tokenizer tokenizer,
        ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (examples.Count == 0) throw new ArgumentException("a batch needs at least one example");
        return FromIds(examples.Select(e => tokenizer.Encode(e.Clean)).ToList(), examples.Select(e => tokenizer.Encode(e.Corrupted)).ToList(),
            examples, readout, dtype, device, Gpt2Tokenizer.EndOfText);
    }

    /// <summary>A batch from token ids (tokenised prompts, or ids of a tiny test vocabulary); the examples supply the answers.</summary>
    public static TaskBatch FromIds(IReadOnlyList<int[]> clean, IReadOnlyList<int[]> corrupted, IReadOnlyList<TaskExample> examples,
        MetricReadout readout, ScalarType dtype = ScalarType.Float32, Device? device = null, int padId = 0)
    {
        for (int i = 0; i < clean.Count; i++)
            if (clean[i].Length != corrupted[i].Length)
                throw new DatasetException($"row {examples[i].Row}: clean prompt has {clean[i].Length} tokens, corrupted has {corrupted[i].Length}; positions must align");
        int width = clean.Max(c => c.Length);
        return new TaskBatch(examples,
            TokenBatch.FromIds(clean, device, padId, width),
            TokenBatch.FromIds(corrupted, device, padId, width),
            TaskMetric.Create(examples, readout, dtype, device));
    }

    public static TaskBatch Create(TaskDataset dataset, IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer,
        ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Create(examples, dataset.Readout, tokenizer, dtype, device);

    public void Dispose()
    {
        Clean.Dispose();
        Corrupted.Dispose();
        Metric.Dispose();
    }
}
