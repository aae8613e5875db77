using static TorchSharp.torch;

namespace Concord.Tasks;

/// <summary>
/// What every attribution method measures: one number per prompt from the logits at its last real
/// token. The methods stack patched copies and IG's path points of a batch along the batch axis, so
/// a metric is told which prompt of the batch each row belongs to. The six tasks implement it with
/// <see cref="TaskMetric"/>; a user's own task implements it (or wraps a function in
/// <see cref="PromptMetric"/>) and gets AP, IG and AtP on it unchanged.
/// </summary>
public interface IPromptMetric
{
    /// <param name="lastLogits">[rows, vocab]: logits at the last real token of each row.</param>
    /// <param name="prompts">[rows] (int64): the prompt of the batch that row belongs to.</param>
    /// <returns>[rows]: the metric of each row, differentiable in the logits.</returns>
    Tensor Evaluate(Tensor lastLogits, Tensor prompts);
}

/// <summary>An <see cref="IPromptMetric"/> from a function: the simplest way to bring one's own metric.</summary>
public sealed class PromptMetric(Func<Tensor, Tensor, Tensor> evaluate) : IPromptMetric
{
    public Tensor Evaluate(Tensor lastLogits, Tensor prompts) => evaluate(lastLogits, prompts);
}

public static class PromptMetrics
{
    /// <summary>The metric of each prompt of one batch, rows in prompt order.</summary>
    public static Tensor EvaluateBatch(this IPromptMetric metric, Tensor lastLogits)
    {
        using var prompts = arange(lastLogits.shape[0], dtype: ScalarType.Int64, device: lastLogits.device);
        return metric.Evaluate(lastLogits, prompts);
    }

    /// <summary>Prompt indices of <paramref name="repeats"/> stacked copies of a batch: [0..b−1, 0..b−1, ...].</summary>
    public static Tensor Repeated(int batch, int repeats, Device device)
    {
        using var one = arange(batch, dtype: ScalarType.Int64, device: device);
        return one.repeat(repeats);
    }
}
