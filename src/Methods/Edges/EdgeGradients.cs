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
    /// <summary>A recorded run's metric per row, ∂(Σ_rows F)/∂x_v for every receiver (in <see cref="EdgeRunResult.ReceiverGradients"/>'s groups), and the senders' outputs in the run.</summary>
    public static (double[] Metric, IReadOnlyList<Tensor> Gradients, Tensor SenderOutputs) AtRun(EdgeContext context, Tensor tokens, Tensor readPositions,
        Tensor other, EdgeMask mask, int repeats, Tensor? embedding = null)
    {
        context.Runs.Cancellation.ThrowIfCancellationRequested();
        var run = EdgeRun.Run(context.Model, tokens, readPositions, other, mask, embedding, recordReceivers: true);
        var metric = context.Runs.Metric.Evaluate(run.Logits, PromptMetrics.Repeated(context.Batch, repeats, context.Model.Device));
        var gradients = run.ReceiverGradients(metric.sum());
        context.Runs.RunsCounted++;
        var senders = run.SenderOutputs!.detach();
        var values = metric.detach().ToDoubles();
        run.Dispose();
        return (values, gradients, senders);
    }

    /// <summary>
    /// Per edge, Σ_{pos, d} Δ_u · G_v: [rows, E] in edge order, from Δ [rows, pos, S, d_model] and the
    /// receivers' gradients in <see cref="EdgeRunResult.ReceiverGradients"/>'s groups. Δ is laid out once as
    /// [rows, S, pos·d_model], so each group is one batched matrix product with a prefix of its senders.
    /// </summary>
    public static Tensor Scores(EdgeGraph graph, Tensor deltas, IReadOnlyList<Tensor> gradients)
    {
        using var scope = NewDisposeScope();
        long rows = deltas.shape[0], width = deltas.shape[1] * deltas.shape[3];
        var senders = deltas.permute(0, 2, 1, 3).reshape(rows, deltas.shape[2], width);
        var parts = new List<Tensor>();
        int group = 0;
        // [rows, receivers, senders] per group: receiver-major, sender-minor, which is the edge order.
        Tensor Group(Tensor gradient, int sendersIn) =>
            gradient.permute(0, 2, 1, 3).reshape(rows, gradient.shape[2], width).bmm(senders[.., ..sendersIn].transpose(1, 2)).reshape(rows, -1);
        for (int l = 0; l < graph.Layers; l++)
        {
            int headsReceive = graph.FirstSenderOfLayer(l), mlpReceives = headsReceive + graph.Heads;
            parts.Add(Group(gradients[group++], headsReceive));
            parts.Add(Group(gradients[group++], mlpReceives));
        }
        parts.Add(Group(gradients[group], graph.Senders.Count));
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
