using Concord.Model;
using Concord.Model.Edges;
using Concord.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// The one computation EAP, edge IG and EAP-IG share: a recorded edge run, ∂(Σ F)/∂x_v at every
/// receiver, and per edge Σ_{pos, d} Δ_u · ∂F/∂x_v for a chosen Δ, all edges of a receiver group
/// from one contraction.
/// </summary>
public static class EdgeGradients
{
    /// <summary>A recorded run's metric per row, ∂(Σ_rows F)/∂x_v for every receiver (in <see cref="EdgeRunResult.ReceiverInputs"/>'s groups), and the senders' outputs in the run.</summary>
    public static (double[] Metric, IReadOnlyList<Tensor> Gradients, Tensor SenderOutputs) AtRun(EdgeContext context, Tensor tokens, Tensor readPositions,
        Tensor other, EdgeMask mask, int repeats, Tensor? embedding = null)
    {
        context.Runs.Cancellation.ThrowIfCancellationRequested();
        var run = EdgeRun.Run(context.Model, tokens, readPositions, other, mask, embedding, recordReceivers: true);
        var metric = context.Runs.Metric.Evaluate(run.Logits, PromptMetrics.Repeated(context.Batch, repeats, context.Model.Device));
        var gradients = torch.autograd.grad([metric.sum()], run.ReceiverInputs.ToList()).Select(g => g!).ToArray();
        context.Runs.RunsCounted++;
        var senders = run.SenderOutputs!.detach();
        var values = metric.detach().ToDoubles();
        run.Dispose();
        return (values, gradients, senders);
    }

    /// <summary>
    /// Per edge, Σ_{pos, d} Δ_u · G_v: [rows, E] in edge order, from Δ [rows, pos, S, d_model] and the
    /// receivers' gradients in <see cref="EdgeRunResult.ReceiverInputs"/>'s groups.
    /// </summary>
    public static Tensor Scores(EdgeGraph graph, Tensor deltas, IReadOnlyList<Tensor> gradients)
    {
        using var scope = NewDisposeScope();
        long rows = deltas.shape[0];
        var parts = new List<Tensor>();
        int group = 0;
        for (int l = 0; l < graph.Layers; l++)
        {
            int headsReceive = graph.FirstSenderOfLayer(l), mlpReceives = headsReceive + graph.Heads;
            // "brs": receiver-major, sender-minor, which is the edge order.
            parts.Add(einsum("bpsd,bprd->brs", deltas[.., .., ..headsReceive], gradients[group++]).reshape(rows, -1));
            parts.Add(einsum("bpsd,bprd->brs", deltas[.., .., ..mlpReceives], gradients[group++]).reshape(rows, -1));
        }
        parts.Add(einsum("bpsd,bprd->brs", deltas, gradients[group]).reshape(rows, -1));
        return cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>A [repeats·batch, ...] stack summed over its repeats with weights: [batch, ...].</summary>
    public static Tensor WeightedSum(Tensor stacked, IReadOnlyList<double> weights, int batch)
    {
        var byRepeat = stacked.view([weights.Count, batch, .. stacked.shape[1..]]);
        var w = tensor(weights.ToArray(), dtype: stacked.dtype, device: stacked.device).view([weights.Count, .. Enumerable.Repeat(1L, (int)stacked.dim())]);
        return (byRepeat * w).sum(0L);  // 0L: a literal 0 would bind to sum(ScalarType) and sum everything
    }
}
