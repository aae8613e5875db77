using TorchSharp;
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
    /// <param name="recordReceivers">Keep what ∂F/∂x_v of every receiver needs (<see cref="EdgeRunResult.ReceiverGradients"/>): the token embedding becomes a leaf that requires grad.</param>
    /// <param name="keepDeltas">Return Δ_u = z̃_u − z_u(run) [rows, pos, S, d_model] (<see cref="EdgeRunResult.SenderDeltas"/>).</param>
    /// <remarks>
    /// A run whose θ is zero everywhere (a base run, as EAP and EAP-IG take gradients at) computes no
    /// Δ unless asked to keep them: x_v is then the residual stream itself, and Δ would cost a
    /// [rows, pos, S, d_model] tensor written and read for nothing.
    /// </remarks>
    public static EdgeRunResult Run(HookedGpt2 model, Tensor tokens, Tensor readPositions, Tensor other, EdgeMask mask,
        Tensor? embedding = null, bool recordReceivers = false, bool keepDeltas = false)
    {
        var graph = EdgeGraph.Of(model.Config);
        if (tokens.dim() != 2) throw new ArgumentException($"tokens must be [rows, pos], got [{string.Join(", ", tokens.shape)}]");
        if (other.dim() != 4 || other.shape[2] != graph.Senders.Count || other.shape[3] != model.Config.NEmbd)
            throw new ArgumentException($"the other sender values must be [rows, pos, {graph.Senders.Count}, {model.Config.NEmbd}], got [{string.Join(", ", other.shape)}]");
        if (mask is EdgeMask.Dense dense && (dense.Theta.dim() != 3 || dense.Theta.shape[1] != graph.Senders.Count || dense.Theta.shape[2] != graph.Receivers.Count))
            throw new ArgumentException($"θ must be [rows, {graph.Senders.Count}, {graph.Receivers.Count}], got [{string.Join(", ", dense.Theta.shape)}]");
        using var scope = NewDisposeScope();
        var pass = new Pass(model, graph, tokens.to(model.Device), other, mask, embedding, recordReceivers, keepDeltas || Moves(mask));
        var result = pass.Run(readPositions.to(model.Device));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Whether the run can differ from the plain forward pass: some θ is non-zero, or θ is differentiated (∂F/∂θ at 0 needs Δ in the graph).</summary>
    private static bool Moves(EdgeMask mask)
    {
        var theta = mask switch
        {
            EdgeMask.Uniform u => u.Alpha,
            EdgeMask.Dense d => d.Theta,
            _ => throw new ArgumentOutOfRangeException(nameof(mask)),
        };
        return theta.requires_grad || theta.count_nonzero().item<long>() > 0;
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

    private sealed class Pass(HookedGpt2 model, EdgeGraph graph, Tensor tokens, Tensor other, EdgeMask mask, Tensor? embedding, bool record, bool withDeltas)
    {
        private readonly Gpt2Config _c = model.Config;
        private readonly long _rows = tokens.shape[0], _positions = tokens.shape[1];
        // Δ_u = z̃_u − z_u(run) of the senders so far, in blocks (input; each layer's heads; its MLP); none when θ = 0 and Δ is not kept.
        private readonly List<Tensor> _deltas = [];
        // Dense θ: every receiver's own input. Uniform θ: what the backward pass reads per layer.
        private readonly List<Tensor> _splitInputs = [];
        private readonly List<SharedLayer> _shared = [];
        private Tensor? _deltaSum;

        private Tensor? Alpha => mask is EdgeMask.Uniform u ? u.Alpha.to(_deltaSum?.dtype ?? model.DType).view(_rows, 1, 1) : null;

        private Tensor Other(int from, int count) => other[.., .., from..(from + count)].expand(_rows, _positions, count, _c.NEmbd);

        private void AddSenders(int first, Tensor outputs)
        {
            if (!withDeltas) return;
            var delta = Other(first, (int)outputs.shape[2]) - outputs;
            _deltas.Add(delta.MoveToOuterDisposeScope());
            if (mask is EdgeMask.Uniform)
            {
                var sum = delta.sum(2);
                _deltaSum = (_deltaSum is null ? sum : _deltaSum + sum).MoveToOuterDisposeScope();
            }
        }

        /// <summary>Uniform θ = α: every receiver of a group reads the same x = resid + α Σ_u Δ_u, so the group shares one input.</summary>
        private Tensor Shared(Tensor resid) => withDeltas ? resid + Alpha! * _deltaSum! : resid;

        /// <summary>Dense θ: receivers [first, first + count) each read resid + Σ_u θ_uv Δ_u: [rows, pos, count, d_model].</summary>
        private Tensor Split(Tensor resid, int firstReceiver, int count)
        {
            if (!withDeltas)
            {
                // θ = 0: TransformerLens's split input, every receiver its own copy of the stream.
                var copies = resid.unsqueeze(2).expand(_rows, _positions, count, _c.NEmbd);
                if (record) _splitInputs.Add(copies.MoveToOuterDisposeScope());
                return copies;
            }
            var theta = ((EdgeMask.Dense)mask).Theta.to(_deltas[0].dtype);
            var deltas = cat(_deltas, 2);
            int senders = (int)deltas.shape[2];
            var slice = theta[.., ..senders, firstReceiver..(firstReceiver + count)].expand(_rows, senders, count);
            var x = resid.unsqueeze(2) + einsum("bpsd,bsr->bprd", deltas, slice);
            if (record) _splitInputs.Add(x.MoveToOuterDisposeScope());
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
            Tensor final;
            if (mask is EdgeMask.Uniform)
            {
                final = Shared(resid);
                if (record) final = final.MoveToOuterDisposeScope();
            }
            else final = Split(resid, graph.Receivers.Count - 1, 1).squeeze(2);
            var rows = arange(_rows, dtype: ScalarType.Int64, device: final.device);
            var read = final[rows, readPositions];
            var logits = model.LayerNorm(read, w.LnFinalWeight, w.LnFinalBias).matmul(w.TokenEmbedding.t());
            var recorded = !record ? null
                : mask is EdgeMask.Uniform ? new RecordedReceivers(model, null, _shared, final) : new RecordedReceivers(model, _splitInputs, null, null);
            return new EdgeRunResult(logits, recorded, withDeltas ? cat(_deltas, 2) : null);
        }

        private Tensor Block(int l, Tensor resid)
        {
            var b = model.Weights.Blocks[l];
            int heads = _c.NHead, dHead = _c.DHead, d = _c.NEmbd;
            Tensor q, k, v;
            Tensor? shared = null;
            if (mask is EdgeMask.Uniform)
            {
                // One input for the layer's 3H receivers: the plain block's projections, whose
                // gradients the backward pass pulls back through ln_1 for each receiver.
                shared = Shared(resid);
                var ln = model.LayerNorm(shared, b.Ln1Weight, b.Ln1Bias);
                q = (ln.matmul(b.WQ) + b.BQ).view(_rows, _positions, heads, dHead);
                k = (ln.matmul(b.WK) + b.BK).view(_rows, _positions, heads, dHead);
                v = (ln.matmul(b.WV) + b.BV).view(_rows, _positions, heads, dHead);
            }
            else
            {
                var inputs = model.LayerNorm(Split(resid, graph.FirstReceiverOfLayer(l), 3 * heads), b.Ln1Weight, b.Ln1Bias);
                Tensor Project(int part, Tensor weight, Tensor bias) =>
                    einsum("bphd,hde->bphe", inputs[.., .., (part * heads)..((part + 1) * heads)], weight.view(d, heads, dHead).permute(1, 0, 2))
                    + bias.view(heads, dHead);
                (q, k, v) = (Project(0, b.WQ, b.BQ), Project(1, b.WK, b.BK), Project(2, b.WV, b.BV));
            }
            var scores = q.permute(0, 2, 1, 3).matmul(k.permute(0, 2, 3, 1));
            var future = arange(_positions, device: scores.device).view(1, _positions) > arange(_positions, device: scores.device).view(_positions, 1);
            var z = CausalAttention.Pattern(scores, dHead, future).matmul(v.permute(0, 2, 1, 3)).permute(0, 2, 1, 3);
            var results = einsum("bphe,hed->bphd", z, b.WO.view(heads, dHead, d));
            var residMid = resid + results.sum(2) + b.BO;
            AddSenders(graph.FirstSenderOfLayer(l), results);
            Tensor mlpX, mlpIn;
            if (mask is EdgeMask.Uniform)
            {
                mlpX = Shared(residMid);
                mlpIn = model.LayerNorm(mlpX, b.Ln2Weight, b.Ln2Bias);
                if (record)
                    _shared.Add(new SharedLayer(shared!.MoveToOuterDisposeScope(), q.MoveToOuterDisposeScope(), k.MoveToOuterDisposeScope(), v.MoveToOuterDisposeScope(),
                        mlpX.MoveToOuterDisposeScope(), mlpIn.MoveToOuterDisposeScope()));
            }
            else mlpIn = model.LayerNorm(Split(residMid, graph.FirstReceiverOfLayer(l) + 3 * heads, 1).squeeze(2), b.Ln2Weight, b.Ln2Bias);
            var mlpOut = model.Activation(mlpIn.matmul(b.WIn) + b.BIn).matmul(b.WOut) + b.BOut;
            AddSenders(graph.FirstSenderOfLayer(l) + heads, mlpOut.unsqueeze(2));
            return residMid + mlpOut;
        }
    }
}

/// <summary>A uniform-θ run's layer as the backward pass needs it: the heads' shared input, their q/k/v [rows, pos, H, d_head], the MLP's input and its ln_2 output.</summary>
internal sealed record SharedLayer(Tensor Input, Tensor Q, Tensor K, Tensor V, Tensor MlpInput, Tensor MlpNormalised);

/// <summary>
/// What a recorded edge run keeps to give ∂F/∂x_v for every receiver. A dense-θ run keeps each
/// receiver's own input. A uniform-θ run computes each layer once (its receivers all read one x),
/// so a head's ∂F/∂x_v is ∂F/∂q_h (or k, v) pulled back through W_Q[h] and ln_1's Jacobian at that
/// x — the same number without materialising 3H copies of the residual stream in the forward pass;
/// <see cref="ReceiverGradients"/> keeps that pull-back factored.
/// </summary>
internal sealed class RecordedReceivers(HookedGpt2 model, IReadOnlyList<Tensor>? split, IReadOnlyList<SharedLayer>? shared, Tensor? final)
{
    public IEnumerable<Tensor> All => split ?? shared!.SelectMany(l => new[] { l.Input, l.Q, l.K, l.V, l.MlpInput, l.MlpNormalised }).Append(final!);

    /// <param name="weights">w_k of the k stacked repeats of the batch [k]: the gradients are Σ_k w_k of theirs.</param>
    public ReceiverGradients Gradients(Tensor objective, Tensor weights)
    {
        var c = model.Config;
        if (split is not null)
        {
            var dense = torch.autograd.grad([objective], split.ToList()).Select(g => ReceiverGradients.Sum(g!, weights)).ToArray();
            return new ReceiverGradients(Enumerable.Range(0, c.NLayer).Select(l => (IHeadInputs)new DenseHeadInputs(dense[2 * l])).ToList(),
                Enumerable.Range(0, c.NLayer).Select(l => dense[2 * l + 1]).ToList(), dense[^1]);
        }
        var targets = shared!.SelectMany(l => new[] { l.Q, l.K, l.V, l.MlpNormalised }).Append(final!).ToList();
        var g = torch.autograd.grad([objective], targets).Select(x => x!).ToArray();
        var heads = new List<IHeadInputs>();
        var mlps = new List<Tensor>();
        for (int l = 0; l < shared!.Count; l++)
        {
            var w = model.Weights.Blocks[l];
            heads.Add(Heads(shared[l], w, g[4 * l], g[4 * l + 1], g[4 * l + 2], weights));
            mlps.Add(ReceiverGradients.Sum(LayerNormBackward(shared[l].MlpInput, w.Ln2Weight, g[4 * l + 3].unsqueeze(2)), weights));
        }
        return new ReceiverGradients(heads, mlps, ReceiverGradients.Sum(g[^1].unsqueeze(2), weights));
    }

    /// <summary>A layer's 3H head receivers from ∂F/∂q, k, v [rows, pos, H, d_head], factored as <see cref="FactoredHeadInputs"/> says.</summary>
    private FactoredHeadInputs Heads(SharedLayer layer, BlockWeights w, Tensor gq, Tensor gk, Tensor gv, Tensor weights)
    {
        var c = model.Config;
        int repeats = (int)weights.shape[0];
        long rows = gq.shape[0], positions = gq.shape[1], batch = rows / repeats;
        var x = layer.Input;
        Tensor xHat, inverseSigma;
        if (model.Variant.NormaliseInLayerNorm)
        {
            var sigma = (x.var(-1, unbiased: false, keepdim: true) + c.LayerNormEpsilon).sqrt();
            xHat = (x - x.mean([-1], keepdim: true)) / sigma;
            inverseSigma = sigma.reciprocal();
        }
        else
        {
            // ln is γ⊙x + β: its Jacobian is γ alone, so the centring terms vanish.
            xHat = zeros_like(x);
            inverseSigma = ones(rows, positions, 1, dtype: x.dtype, device: x.device);
        }
        var projections = new[] { (w.WQ, w.BQ, layer.Q), (w.WK, w.BK, layer.K), (w.WV, w.BV, layer.V) };
        var g = cat([gq, gk, gv], 2);
        // W[h]ᵀγ and W[h]ᵀ(γ⊙x̂) = q_h − b[h] − W[h]ᵀβ, each [.., 3H, d_head].
        var gammaThrough = cat(projections.Select(p => w.Ln1Weight.matmul(p.Item1).view(c.NHead, c.DHead)).ToArray(), 0);
        var xHatThrough = cat(projections.Select(p => p.Item3 - (p.Item2 + w.Ln1Bias.matmul(p.Item1)).view(c.NHead, c.DHead)).ToArray(), 2);
        bool normalises = model.Variant.NormaliseInLayerNorm;
        var centre = normalises ? (g * gammaThrough).sum(-1) / c.NEmbd * inverseSigma : zeros(rows, positions, g.shape[2], dtype: g.dtype, device: g.device);
        var along = normalises ? (g * xHatThrough).sum(-1) / c.NEmbd * inverseSigma : zeros_like(centre);
        var w1 = weights.view(repeats, 1, 1, 1);
        return new FactoredHeadInputs(ReceiverGradients.Sum(g * inverseSigma.unsqueeze(-1), weights), ReceiverGradients.Sum(centre, weights),
            along.view(repeats, batch, positions, -1) * w1, xHat.view(repeats, batch, positions, -1),
            [w.WQ, w.WK, w.WV], w.Ln1Weight);
    }

    /// <summary>ln's vector–Jacobian product at x [rows, pos, d] for n output gradients [rows, pos, n, d] at once.</summary>
    private Tensor LayerNormBackward(Tensor x, Tensor weight, Tensor gradients)
    {
        var scaled = gradients * weight;
        if (!model.Variant.NormaliseInLayerNorm) return scaled;
        using var scope = NewDisposeScope();
        var mean = x.mean([-1], keepdim: true);
        var sigma = (x.var(-1, unbiased: false, keepdim: true) + model.Config.LayerNormEpsilon).sqrt();
        var xHat = ((x - mean) / sigma).unsqueeze(2);
        var result = (scaled - scaled.mean([-1], keepdim: true) - xHat * (scaled * xHat).mean([-1], keepdim: true)) / sigma.unsqueeze(2);
        return result.MoveToOuterDisposeScope();
    }
}

/// <summary>An edge run's logits at the read positions and, when recorded, what gives ∂F/∂x_v at every receiver and every sender's Δ.</summary>
public sealed class EdgeRunResult : IDisposable
{
    public Tensor Logits { get; }
    /// <summary>Δ_u = z̃_u − z_u(run) [rows, pos, S, d_model] in sender order, when the run computed them.</summary>
    public Tensor? SenderDeltas { get; }
    private readonly RecordedReceivers? _recorded;

    internal EdgeRunResult(Tensor logits, RecordedReceivers? recorded, Tensor? senderDeltas) => (Logits, _recorded, SenderDeltas) = (logits, recorded, senderDeltas);

    /// <summary>
    /// ∂objective/∂x_v for every receiver. Needs a recorded run; once. With <paramref name="repeats"/> &gt; 1
    /// the run's rows are that many stacked copies of a batch and the gradients are summed over them
    /// with <paramref name="weights"/> (1 each when null).
    /// </summary>
    public ReceiverGradients ReceiverGradients(Tensor objective, int repeats = 1, IReadOnlyList<double>? weights = null)
    {
        var recorded = _recorded ?? throw new InvalidOperationException("the edge run was not recorded (recordReceivers: true)");
        if (weights is not null && weights.Count != repeats) throw new ArgumentException($"{weights.Count} weights for {repeats} repeats", nameof(weights));
        return recorded.Gradients(objective, tensor((weights ?? Enumerable.Repeat(1.0, repeats)).ToArray(), dtype: Logits.dtype, device: Logits.device));
    }

    public EdgeRunResult MoveToOuterDisposeScope()
    {
        Logits.MoveToOuterDisposeScope();
        foreach (var x in _recorded?.All ?? []) x.MoveToOuterDisposeScope();
        SenderDeltas?.MoveToOuterDisposeScope();
        return this;
    }

    public void Dispose()
    {
        Logits.Dispose();
        foreach (var x in _recorded?.All ?? []) x.Dispose();
        SenderDeltas?.Dispose();
    }
}
