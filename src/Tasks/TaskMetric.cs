using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Tasks;

/// <summary>
/// The one metric all six tasks share: Σ_k w_k · s[id_k] at each prompt's last real token, where
/// s is the logits (weights +1/|pos|, −1/|neg|: mean logit difference) or the probabilities
/// (weights ±1: probability difference). Vectorised over the batch; rows with fewer answers are
/// padded with weight 0.
/// </summary>
public sealed class TaskMetric : IPromptMetric, IDisposable
{
    public MetricReadout Readout { get; }
    /// <summary>[batch, K] token ids.</summary>
    public Tensor AnswerIds { get; }
    /// <summary>[batch, K] weights.</summary>
    public Tensor AnswerWeights { get; }

    private TaskMetric(MetricReadout readout, Tensor ids, Tensor weights)
    {
        Readout = readout;
        AnswerIds = ids;
        AnswerWeights = weights;
    }

    public static TaskMetric Create(IReadOnlyList<TaskExample> examples, MetricReadout readout, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        int k = examples.Max(e => e.Positive.Length + e.Negative.Length);
        var ids = new long[examples.Count * k];
        var weights = new double[examples.Count * k];
        for (int b = 0; b < examples.Count; b++)
        {
            var e = examples[b];
            double pos = readout == MetricReadout.LogitDifference ? 1.0 / Math.Max(1, e.Positive.Length) : 1.0;
            double neg = readout == MetricReadout.LogitDifference ? 1.0 / Math.Max(1, e.Negative.Length) : 1.0;
            int j = b * k;
            foreach (var id in e.Positive) { ids[j] = id; weights[j++] = pos; }
            foreach (var id in e.Negative) { ids[j] = id; weights[j++] = -neg; }
        }
        device ??= CPU;
        var idTensor = tensor(ids, [examples.Count, k]).to(device).DetachFromDisposeScope();
        var weightTensor = tensor(weights, [examples.Count, k]).to(dtype, device).DetachFromDisposeScope();
        return new TaskMetric(readout, idTensor, weightTensor);
    }

    /// <summary>The metric of each prompt from its last-token logits [batch, vocab] → [batch].</summary>
    public Tensor Evaluate(Tensor lastLogits) => Evaluate(lastLogits, AnswerIds, AnswerWeights);

    /// <summary>The metric of rows that belong to the given prompts (stacked patches or IG steps).</summary>
    public Tensor Evaluate(Tensor lastLogits, Tensor prompts)
    {
        using var scope = NewDisposeScope();
        var p = prompts.to(AnswerIds.device);
        return Evaluate(lastLogits, AnswerIds.index_select(0, p), AnswerWeights.index_select(0, p)).MoveToOuterDisposeScope();
    }

    private Tensor Evaluate(Tensor lastLogits, Tensor ids, Tensor weights)
    {
        if (lastLogits.dim() != 2 || lastLogits.shape[0] != ids.shape[0])
            throw new ArgumentException($"expected last-token logits [{ids.shape[0]}, vocab], got [{string.Join(", ", lastLogits.shape)}]");
        using var scope = NewDisposeScope();
        var scores = Readout == MetricReadout.ProbabilityDifference ? lastLogits.softmax(-1) : lastLogits;
        var value = (scores.gather(1, ids) * weights.to(scores.dtype)).sum(1);
        return value.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        AnswerIds.Dispose();
        AnswerWeights.Dispose();
    }
}
