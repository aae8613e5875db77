using Concord.Model;
using Concord.Model.Edges;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// Exact edge patching: AP_e = F(θ = 1 on e alone) − F(0). Only receiver v of e = u → v sees u's
/// output moved to z̃_u; every other receiver, u's other readers included, reads the base run.
/// Upstream of v nothing changes and downstream of it the run is a plain forward, so each
/// receiver's in-edges form one stacked run that starts at v (the patched head's output, the MLP's
/// normalised input, or the final residual stream), in chunks within the memory budget, with
/// the shared prefix reused under resampling (Δ_u is 0 there).
/// </summary>
public static class ExactEdgePatching
{
    public const string Id = "ap";

    public static EdgeScores Attribute(EdgeContext context, IProgress<int>? receiversDone = null)
    {
        var graph = context.Graph;
        var values = new double[context.Batch, graph.EdgeCount];
        var baseMetric = context.BaseMetric;
        for (int r = 0; r < graph.Receivers.Count; r++)
        {
            var effects = Receiver(context, r);
            int first = graph.FirstEdgeInto(r);
            for (int s = 0; s < effects.GetLength(0); s++)
                for (int b = 0; b < context.Batch; b++)
                    values[b, first + s] = effects[s, b] - baseMetric[b];
            receiversDone?.Report(r + 1);
        }
        return new EdgeScores(Id, graph, values);
    }

    /// <summary>F with each in-edge of receiver <paramref name="receiver"/> patched alone: [sender, prompt].</summary>
    public static double[,] Receiver(EdgeContext context, int receiver)
    {
        var graph = context.Graph;
        var target = graph.Receivers[receiver];
        int senders = graph.SendersInto(receiver), batch = context.Batch;
        int layer = target.Kind == ReceiverKind.Logits ? graph.Layers - 1 : target.Layer;
        int perChunk = Math.Max(1, context.Runs.RowsPerChunk(layer, withGradients: false) / batch);
        var result = new double[senders, batch];
        for (int from = 0; from < senders; from += perChunk)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(perChunk, senders - from);
            var metric = Chunk(context, target, from, count).ToDoubles();
            for (int s = 0; s < count; s++)
                for (int b = 0; b < batch; b++) result[from + s, b] = metric[s * batch + b];
        }
        return result;
    }

    /// <summary>F for senders [from, from + count) of one receiver, rows sender-major.</summary>
    private static Tensor Chunk(EdgeContext context, Receiver target, int from, int count)
    {
        var model = context.Model;
        var cache = context.Runs.BaseCache;
        var w = model.Weights;
        var c = model.Config;
        // [count·batch, pos, d]: row s·batch + b carries Δ of sender from + s in prompt b.
        var deltas = (context.OtherSenders.expand_as(context.BaseSenders)[.., .., from..(from + count)] - context.BaseSenders[.., .., from..(from + count)])
            .permute(2, 0, 1, 3).reshape(count * context.Batch, context.BaseSenders.shape[1], c.NEmbd);
        bool prefix = context.Ablation == EdgeAblation.Resample;
        switch (target.Kind)
        {
            case ReceiverKind.Logits:
            {
                var hook = HookPoint.ResidPost(c.NLayer - 1);
                return context.Runs.MetricFrom(hook, cache[hook].RepeatAlongBatch(count) + deltas, count, prefix);
            }
            case ReceiverKind.Mlp:
            {
                var b = w.Blocks[target.Layer];
                var x = cache[HookPoint.ResidMid(target.Layer)].RepeatAlongBatch(count) + deltas;
                return context.Runs.MetricFrom(HookPoint.MlpIn(target.Layer), model.LayerNorm(x, b.Ln2Weight, b.Ln2Bias), count, prefix);
            }
            default:
            {
                int l = target.Layer, h = target.Head, dh = c.DHead;
                var patched = HeadInput(model, target, cache[HookPoint.ResidPre(l)].RepeatAlongBatch(count) + deltas);
                Tensor Head(HookPoint point, ReceiverInput input) => target.Input == input ? patched : cache[point][.., .., h].RepeatAlongBatch(count);
                var (q, k, v) = (Head(HookPoint.Q(l), ReceiverInput.Q), Head(HookPoint.K(l), ReceiverInput.K), Head(HookPoint.V(l), ReceiverInput.V));
                long positions = q.shape[1];
                var scores = q.matmul(k.transpose(1, 2));
                var future = arange(positions, device: model.Device).view(1, positions) > arange(positions, device: model.Device).view(positions, 1);
                var zHead = CausalAttention.Pattern(scores, dh, future).matmul(v);
                var z = cache[HookPoint.Z(l)].RepeatAlongBatch(count).clone();
                z[.., .., h] = zHead;
                return context.Runs.MetricFrom(HookPoint.Z(l), z, count, prefix);
            }
        }
    }

    /// <summary>
    /// A head receiver's q, k or v [rows, pos, d_head] from the residual stream as that receiver
    /// reads it: through ln_1 and that head's columns of W_Q, W_K or W_V.
    /// </summary>
    internal static Tensor HeadInput(HookedGpt2 model, Receiver target, Tensor residual)
    {
        var b = model.Weights.Blocks[target.Layer];
        int from = target.Head * model.Config.DHead, to = from + model.Config.DHead;
        var (weight, bias) = target.Input switch
        {
            ReceiverInput.Q => (b.WQ, b.BQ),
            ReceiverInput.K => (b.WK, b.BK),
            _ => (b.WV, b.BV),
        };
        return model.LayerNorm(residual, b.Ln1Weight, b.Ln1Bias).matmul(weight[.., from..to]) + bias[from..to];
    }
}
