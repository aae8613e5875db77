using Concord.Model;
using Concord.Model.Edges;
using Concord.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// The naive modes the benchmarks measure the edge methods against, as the field's reference code
/// computes them: exact patching with one hooked full forward per edge; EAP and EAP-IG with the
/// TransformerLens-style split-input forward and backward passes (every head's q, k and v input its
/// own copy of the stream), one step at a time and one dot product per edge (a loop over sender–receiver pairs, as the original EAP code scores them).
/// </summary>
public static class NaiveEdgeMethods
{
    /// <summary>
    /// The naive reference (hannamw/EAP-IG's <c>get_scores_exact</c>, TransformerLens-style): one full
    /// forward pass of the batch per edge, from the embedding, with a hook that rebuilds the
    /// receiver's input with that one sender moved. For benchmarks; the tests check it against the
    /// stacked runs.
    /// </summary>
    public static double[] ExactPatching(EdgeContext context, int edge)
    {
        using var scope = NewDisposeScope();
        var graph = context.Graph;
        var model = context.Model;
        var cache = context.Runs.BaseCache;
        var (sender, receiver) = graph.Ends(edge);
        var target = graph.Receivers[receiver];
        var delta = context.OtherSenders.expand_as(context.BaseSenders)[.., .., sender] - context.BaseSenders[.., .., sender];
        var hooks = new HookSet();
        switch (target.Kind)
        {
            case ReceiverKind.Logits:
                hooks.Add(HookPoint.ResidPost(model.Config.NLayer - 1), (value, _) => value + delta);
                break;
            case ReceiverKind.Mlp:
            {
                var b = model.Weights.Blocks[target.Layer];
                hooks.Add(HookPoint.MlpIn(target.Layer), (_, _) => model.LayerNorm(cache[HookPoint.ResidMid(target.Layer)] + delta, b.Ln2Weight, b.Ln2Bias));
                break;
            }
            default:
            {
                // TransformerLens's split input: the receiving head's own copy of the stream, moved by this one sender.
                int l = target.Layer;
                var point = target.Input switch { ReceiverInput.Q => HookPoint.QInput(l), ReceiverInput.K => HookPoint.KInput(l), _ => HookPoint.VInput(l) };
                hooks.Add(point, (value, _) =>
                {
                    var patched = value.clone();
                    patched[.., .., target.Head] += delta;
                    return patched;
                });
                break;
            }
        }
        var tokens = context.Runs.BaseTokens;
        using var logits = model.Run(tokens.Tokens, hooks, readPositions: tokens.LastPositions);
        context.Runs.RunsCounted++;
        var metric = context.Runs.Metric.EvaluateBatch(logits).ToDoubles();
        return metric.Zip(context.BaseMetric, (m, f0) => m - f0).ToArray();
    }

    /// <summary>EAP with its edges scored one by one: Σ_{pos, d} Δ_u · ∂F/∂x_v for each edge as its own tensor operation.</summary>
    public static EdgeScores Eap(EdgeContext context)
    {
        using var scope = NewDisposeScope();
        var tokens = context.Runs.BaseTokens;
        var (_, gradients, _) = EdgeGradients.AtRun(context, tokens.Tokens, tokens.LastPositions, context.OtherSenders, SplitInputs(context), 1);
        return new EdgeScores(EdgeAttributionPatching.Id, context.Graph, EdgeByEdge(context, cat(gradients.Dense(), 2)));
    }

    /// <summary>EAP-IG with one recorded run per step (no stacking) and its edges scored one by one.</summary>
    public static EdgeScores EapIg(EdgeContext context, int steps = Edges.EapIg.DefaultSteps)
    {
        using var scope = NewDisposeScope();
        var runs = context.Runs;
        var eBase = runs.BaseCache[HookPoint.Embed];
        var eOther = runs.OtherCache[HookPoint.Embed];
        Tensor? sum = null;
        for (int k = 0; k < steps; k++)
        {
            var (_, gradients, _) = EdgeGradients.AtRun(context, runs.BaseTokens.Tokens, runs.BaseTokens.LastPositions, context.OtherSenders,
                SplitInputs(context), 1, eOther + (double)k / steps * (eBase - eOther));
            var all = cat(gradients.Dense(), 2);
            sum = sum is null ? all : sum + all;
        }
        return new EdgeScores(Edges.EapIg.Id, context.Graph, EdgeByEdge(context, sum! / steps));
    }

    /// <summary>θ = 0 as a dense mask: every head reads its own copy of the residual stream through its own ln_1 (TransformerLens's split q/k/v inputs), and the backward pass reaches each copy.</summary>
    private static EdgeMask SplitInputs(EdgeContext context) =>
        new EdgeMask.Dense(zeros(1, context.Graph.Senders.Count, context.Graph.Receivers.Count, dtype: context.Model.DType, device: context.Model.Device));

    /// <summary>Σ_{pos, d} Δ_u · G_v per edge, one edge at a time; G [batch, pos, R, d_model].</summary>
    private static double[,] EdgeByEdge(EdgeContext context, Tensor gradients)
    {
        var graph = context.Graph;
        var deltas = context.BaseDeltas();
        var values = new double[context.Batch, graph.EdgeCount];
        for (int e = 0; e < graph.EdgeCount; e++)
        {
            using var step = NewDisposeScope();
            var (s, r) = graph.Ends(e);
            var score = (deltas[.., .., s] * gradients[.., .., r]).sum([1, 2]).ToDoubles();
            for (int b = 0; b < score.Length; b++) values[b, e] = score[b];
        }
        return values;
    }
}
