using static TorchSharp.torch;

namespace Concord.Model.Edges;

/// <summary>
/// The model run with every receiver's input written edge by edge:
/// x_v = c_v + Σ_{u→v} [z_u(run) + θ_uv (z̃_u − z_u(run))], c_v the constant part (the position
/// embedding and the attention output biases before v), z_u(run) the sender's output in this run,
/// z̃_u the other value (the other run's output, a mean, or 0). Since Σ_u z_u(run) + c_v is the
/// run's own residual stream at v, x_v = resid(v) + Σ_u θ_uv Δ_u with Δ_u = z̃_u − z_u(run).
/// Each head reads its q, k and v inputs through its own ln_1, so heads and inputs can differ.
/// θ = 0 is the plain forward pass, θ = 1 everywhere the other run.
/// </summary>
public static class EdgeRun
{
    /// <summary>
    /// Runs right-padded <paramref name="tokens"/> [rows, pos] and returns the logits at
    /// <paramref name="readPositions"/> [rows].
    /// </summary>
    /// <param name="other">z̃ [rows or 1, pos, S, d_model] in sender order (<see cref="SenderOutputs"/> of the other run, or a mean broadcast over positions).</param>
    /// <param name="embedding">The input sender's value instead of the tokens' embedding (EAP-IG's interpolated inputs); [rows, pos, d_model].</param>
    /// <param name="recordReceivers">Keep every receiver's input for gradients: the token embedding becomes a leaf that requires grad, and the result holds x_v [rows, pos, R, d_model] in receiver order and z_u(run) [rows, pos, S, d_model].</param>
    public static EdgeRunResult Run(HookedGpt2 model, Tensor tokens, Tensor readPositions, Tensor other, EdgeMask mask,
        Tensor? embedding = null, bool recordReceivers = false)
    {
        var graph = EdgeGraph.Of(model.Config);
        if (tokens.dim() != 2) throw new ArgumentException($"tokens must be [rows, pos], got [{string.Join(", ", tokens.shape)}]");
        if (other.dim() != 4 || other.shape[2] != graph.Senders.Count || other.shape[3] != model.Config.NEmbd)
            throw new ArgumentException($"the other sender values must be [rows, pos, {graph.Senders.Count}, {model.Config.NEmbd}], got [{string.Join(", ", other.shape)}]");
        if (mask is EdgeMask.Dense dense && (dense.Theta.dim() != 3 || dense.Theta.shape[1] != graph.Senders.Count || dense.Theta.shape[2] != graph.Receivers.Count))
            throw new ArgumentException($"θ must be [rows, {graph.Senders.Count}, {graph.Receivers.Count}], got [{string.Join(", ", dense.Theta.shape)}]");
        using var scope = NewDisposeScope();
        var pass = new Pass(model, graph, tokens.to(model.Device), other, mask, embedding, recordReceivers);
        var result = pass.Run(readPositions.to(model.Device));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>z_u of every sender [rows, pos, S, d_model] from a run's cache holding hook_embed, attn.hook_z and hook_mlp_out of every layer.</summary>
    public static Tensor SenderOutputs(HookedGpt2 model, ActivationCache cache)
    {
        var c = model.Config;
        var parts = new List<Tensor> { cache[HookPoint.Embed].unsqueeze(2) };
        for (int l = 0; l < c.NLayer; l++)
        {
            var wo = model.Weights.Blocks[l].WO.view(c.NHead, c.DHead, c.NEmbd);
            parts.Add(einsum("bphe,hed->bphd", cache[HookPoint.Z(l)], wo));
            parts.Add(cache[HookPoint.MlpOut(l)].unsqueeze(2));
        }
        return cat(parts, 2);
    }

    /// <summary>The hook points <see cref="SenderOutputs"/> reads.</summary>
    public static IEnumerable<HookPoint> SenderHooks(int layers) =>
        Enumerable.Range(0, layers).SelectMany(l => new[] { HookPoint.Z(l), HookPoint.MlpOut(l) }).Prepend(HookPoint.Embed);

    private sealed class Pass(HookedGpt2 model, EdgeGraph graph, Tensor tokens, Tensor other, EdgeMask mask, Tensor? embedding, bool record)
    {
        private readonly Gpt2Config _c = model.Config;
        private readonly long _rows = tokens.shape[0], _positions = tokens.shape[1];
        // Δ_u = z̃_u − z_u(run) of the senders so far, in blocks (input; each layer's heads; its MLP).
        private readonly List<Tensor> _deltas = [];
        private readonly List<Tensor> _outputs = [];
        private readonly List<Tensor> _receivers = [];
        private Tensor? _deltaSum;

        private Tensor Other(int from, int count) => other[.., .., from..(from + count)].expand(_rows, _positions, count, _c.NEmbd);

        private void AddSenders(int first, Tensor outputs)
        {
            var delta = Other(first, (int)outputs.shape[2]) - outputs;
            _deltas.Add(delta.MoveToOuterDisposeScope());
            if (record) _outputs.Add(outputs.MoveToOuterDisposeScope());
            if (mask is EdgeMask.Uniform)
            {
                var sum = delta.sum(2);
                _deltaSum = (_deltaSum is null ? sum : _deltaSum + sum).MoveToOuterDisposeScope();
            }
        }

        /// <summary>Σ_u θ_uv Δ_u for receivers [first, first + count) over the senders so far: [rows, pos, count, d_model].</summary>
        private Tensor Written(int firstReceiver, int count)
        {
            if (mask is EdgeMask.Uniform uniform)
                return (uniform.Alpha.to(_deltaSum!.dtype).view(_rows, 1, 1) * _deltaSum!).unsqueeze(2).expand(_rows, _positions, count, _c.NEmbd);
            var theta = ((EdgeMask.Dense)mask).Theta.to(_deltas[0].dtype);
            var deltas = cat(_deltas, 2);
            int senders = (int)deltas.shape[2];
            var slice = theta[.., ..senders, firstReceiver..(firstReceiver + count)].expand(_rows, senders, count);
            return einsum("bpsd,bsr->bprd", deltas, slice);
        }

        private Tensor Receive(Tensor resid, int firstReceiver, int count)
        {
            var x = resid.unsqueeze(2) + Written(firstReceiver, count);
            if (record) _receivers.Add(x.MoveToOuterDisposeScope());
            return x;
        }

        public EdgeRunResult Run(Tensor readPositions)
        {
            var w = model.Weights;
            var embed = embedding?.to(model.Device) ?? w.TokenEmbedding.index_select(0, tokens.flatten()).reshape(_rows, _positions, _c.NEmbd);
            if (record) embed = embed.detach().requires_grad_(true);
            var resid = embed + w.PositionEmbedding[..(int)_positions].unsqueeze(0);
            AddSenders(0, embed.unsqueeze(2));
            for (int l = 0; l < _c.NLayer; l++)
            {
                // One scope per block; what later blocks read is moved out of it.
                using var scope = NewDisposeScope();
                resid = Block(l, resid).MoveToOuterDisposeScope();
            }
            var final = Receive(resid, graph.Receivers.Count - 1, 1).squeeze(2);
            var rows = arange(_rows, dtype: ScalarType.Int64, device: final.device);
            var read = final[rows, readPositions];
            var logits = model.LayerNorm(read, w.LnFinalWeight, w.LnFinalBias).matmul(w.TokenEmbedding.t());
            return new EdgeRunResult(logits, record ? _receivers : [], record ? cat(_outputs, 2) : null);
        }

        private Tensor Block(int l, Tensor resid)
        {
            var b = model.Weights.Blocks[l];
            int heads = _c.NHead, dHead = _c.DHead, d = _c.NEmbd;
            var inputs = model.LayerNorm(Receive(resid, graph.FirstReceiverOfLayer(l), 3 * heads), b.Ln1Weight, b.Ln1Bias);
            Tensor Project(int part, Tensor weight, Tensor bias) =>
                einsum("bphd,hde->bphe", inputs[.., .., (part * heads)..((part + 1) * heads)], weight.view(d, heads, dHead).permute(1, 0, 2))
                + bias.view(heads, dHead);
            var q = Project(0, b.WQ, b.BQ).permute(0, 2, 1, 3);
            var k = Project(1, b.WK, b.BK).permute(0, 2, 3, 1);
            var v = Project(2, b.WV, b.BV).permute(0, 2, 1, 3);
            var scores = q.matmul(k) / Math.Sqrt(dHead);
            var future = arange(_positions, device: scores.device).view(1, _positions) > arange(_positions, device: scores.device).view(_positions, 1);
            var z = TorchSharp.torch.nn.functional.softmax(scores.masked_fill(future, double.NegativeInfinity), -1).matmul(v).permute(0, 2, 1, 3);
            var results = einsum("bphe,hed->bphd", z, b.WO.view(heads, dHead, d));
            var residMid = resid + results.sum(2) + b.BO;
            AddSenders(graph.FirstSenderOfLayer(l), results);
            var mlpIn = model.LayerNorm(Receive(residMid, graph.FirstReceiverOfLayer(l) + 3 * heads, 1).squeeze(2), b.Ln2Weight, b.Ln2Bias);
            var mlpOut = model.Activation(mlpIn.matmul(b.WIn) + b.BIn).matmul(b.WOut) + b.BOut;
            AddSenders(graph.FirstSenderOfLayer(l) + heads, mlpOut.unsqueeze(2));
            return residMid + mlpOut;
        }
    }
}

/// <summary>An edge run's logits at the read positions, and (when recorded) every receiver's input and sender's output.</summary>
/// <param name="ReceiverInputs">x_v in receiver order, as the run used them (so gradients reach them): per layer [rows, pos, 3H, d_model] for the heads' inputs and [rows, pos, 1, d_model] for the MLP, then [rows, pos, 1, d_model] for the logits; concatenated along dim 2 they are [rows, pos, R, d_model].</param>
/// <param name="SenderOutputs">z_u(run) [rows, pos, S, d_model] in sender order.</param>
public sealed record EdgeRunResult(Tensor Logits, IReadOnlyList<Tensor> ReceiverInputs, Tensor? SenderOutputs) : IDisposable
{
    public EdgeRunResult MoveToOuterDisposeScope()
    {
        Logits.MoveToOuterDisposeScope();
        foreach (var x in ReceiverInputs) x.MoveToOuterDisposeScope();
        SenderOutputs?.MoveToOuterDisposeScope();
        return this;
    }

    public void Dispose()
    {
        Logits.Dispose();
        foreach (var x in ReceiverInputs) x.Dispose();
        SenderOutputs?.Dispose();
    }
}
