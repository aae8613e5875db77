using Concord.Model;
using Concord.Model.Edges;
using Concord.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// The one computation EAP, edge IG and EAP-IG share: a recorded edge run and ∂(Σ F)/∂x_v at every
/// receiver, whose <see cref="ReceiverGradients.Scores"/> give per edge Σ_{pos, d} Δ_u · ∂F/∂x_v.
/// </summary>
public static class EdgeGradients
{
    /// <summary>
    /// A recorded run's metric per row, ∂(Σ_rows F)/∂x_v for every receiver — of every row, or, when
    /// <paramref name="sumRepeats"/>, summed over the <paramref name="repeats"/> stacked copies of the
    /// batch — and, when <paramref name="keepDeltas"/>, the senders' Δ_u = z̃_u − z_u(run) in the run (else null).
    /// </summary>
    public static (double[] Metric, ReceiverGradients Gradients, Tensor? Deltas) AtRun(EdgeContext context, Tensor tokens, Tensor readPositions,
        Tensor other, EdgeMask mask, int repeats, Tensor? embedding = null, bool keepDeltas = false, bool sumRepeats = false)
    {
        context.Runs.Cancellation.ThrowIfCancellationRequested();
        var run = EdgeRun.Run(context.Model, tokens, readPositions, other, mask, embedding, recordReceivers: true, keepDeltas: keepDeltas);
        var metric = context.Runs.Metric.Evaluate(run.Logits, PromptMetrics.Repeated(context.Batch, repeats, context.Model.Device));
        var gradients = sumRepeats ? run.ReceiverGradients(metric.sum(), repeats) : run.ReceiverGradients(metric.sum());
        context.Runs.RunsCounted++;
        var deltas = keepDeltas ? run.SenderDeltas!.detach() : null;
        var values = metric.detach().ToDoubles();
        run.Dispose();
        return (values, gradients, deltas);
    }
}
