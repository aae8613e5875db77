using Concord.Model;
using static TorchSharp.torch;

namespace Concord.Tasks.Evaluation;

/// <summary>
/// `concord model eval`: runs a model on a task's clean and corrupted prompts and reads the task
/// metric at each prompt's last real token. Works on any GPT-2-vocabulary model, GPT-2 small included.
/// </summary>
public static class TaskEvaluation
{
    public static TaskScore Evaluate(HookedGpt2 model, TaskKind kind, string source, IReadOnlyList<TaskExample> examples,
        MetricReadout readout, Gpt2Tokenizer tokenizer, int batchSize = 32, CancellationToken cancel = default)
    {
        if (examples.Count == 0) throw new DatasetException($"{source}: no prompts to evaluate {kind.Id()} on");
        var (clean, corrupted) = PromptMetrics(model, examples, readout, tokenizer, batchSize, cancel);
        return TaskScore.Of(kind, source, clean, corrupted);
    }

    /// <summary>The clean and corrupted metric of every example, in order, read at each prompt's last real token.</summary>
    public static (double[] Clean, double[] Corrupted) PromptMetrics(HookedGpt2 model, IReadOnlyList<TaskExample> examples,
        MetricReadout readout, Gpt2Tokenizer tokenizer, int batchSize = 32, CancellationToken cancel = default)
    {
        var clean = new List<double>();
        var corrupted = new List<double>();
        foreach (var chunk in examples.Chunk(batchSize))
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var batch = TaskBatch.Create(chunk, readout, tokenizer, model.DType, model.Device);
            using var noGrad = no_grad();
            var (c, k) = Metrics(batch.Metric, model.Run(batch.Clean.Tokens, readPositions: batch.Clean.LastPositions),
                model.Run(batch.Corrupted.Tokens, readPositions: batch.Corrupted.LastPositions));
            clean.AddRange(c);
            corrupted.AddRange(k);
        }
        return (clean.ToArray(), corrupted.ToArray());
    }

    /// <summary>The clean metric of every example, in order: only the clean prompts are run.</summary>
    public static double[] CleanMetrics(HookedGpt2 model, IReadOnlyList<TaskExample> examples,
        MetricReadout readout, Gpt2Tokenizer tokenizer, int batchSize = 32, CancellationToken cancel = default)
    {
        var clean = new List<double>();
        foreach (var chunk in examples.Chunk(batchSize))
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var batch = TaskBatch.Create(chunk, readout, tokenizer, model.DType, model.Device);
            using var noGrad = no_grad();
            clean.AddRange(batch.Metric.EvaluateBatch(model.Run(batch.Clean.Tokens, readPositions: batch.Clean.LastPositions)).ToDoubles());
        }
        return clean.ToArray();
    }

    /// <summary>The metric of each prompt from clean and corrupted last-token logits [batch, vocab].</summary>
    public static (double[] Clean, double[] Corrupted) Metrics(TaskMetric metric, Tensor cleanLogits, Tensor corruptedLogits)
    {
        using var scope = NewDisposeScope();
        double[] Read(Tensor logits) => metric.Evaluate(logits).to(ScalarType.Float64).cpu().data<double>().ToArray();
        return (Read(cleanLogits), Read(corruptedLogits));
    }

    /// <summary>The examples every token of which (both prompts and the answers) the model was trained on.</summary>
    public static IReadOnlyList<TaskExample> TrainedTokensOnly(IReadOnlyList<TaskExample> examples, IReadOnlySet<int> trained, Gpt2Tokenizer tokenizer) =>
        examples.Where(e => tokenizer.Encode(e.Clean).Concat(tokenizer.Encode(e.Corrupted)).Concat(e.Positive).Concat(e.Negative).All(trained.Contains)).ToList();
}
