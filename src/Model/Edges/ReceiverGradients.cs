using static TorchSharp.torch;

namespace Concord.Model.Edges;

/// <summary>
/// ∂F/∂x_v of every receiver of a recorded edge run, optionally summed over stacked repeats of the
/// batch with weights, kept in the form its one use needs: per edge Σ_{pos, d} Δ_u · ∂F/∂x_v
/// (<see cref="Scores"/>). Receivers are grouped per layer (the heads' q, k and v inputs, then the
/// MLP's input), then the logits, in receiver order.
/// </summary>
/// <remarks>
/// A uniform-θ run's heads read one shared x, and ∂F/∂x for head h's q input is ln_1's
/// vector–Jacobian product of W_Q[h]·g_h (g_h = ∂F/∂q_h):
/// (1/σ)(γ⊙W_Q[h]g_h − mean(γ⊙W_Q[h]g_h) − x̂·mean(γ⊙W_Q[h]g_h⊙x̂)). Both means are dot products of
/// g_h with small vectors (W_Q[h]ᵀγ, and W_Q[h]ᵀ(γ⊙x̂) = q_h − b_Q[h] − W_Q[h]ᵀβ from the forward pass),
/// so the group is kept as g/σ [rows, pos, 3H, d_head] and two scalars per head and position, and
/// only the sum over repeats is ever expanded to [rows, pos, 3H, d_model]: with Δ the same in every
/// repeat (EAP-IG) the m steps cost one expansion, not m.
/// </remarks>
public sealed class ReceiverGradients : IDisposable
{
    private readonly IReadOnlyList<IHeadInputs> _heads;
    private readonly IReadOnlyList<Tensor> _mlps;
    private readonly Tensor _logits;

    internal ReceiverGradients(IReadOnlyList<IHeadInputs> heads, IReadOnlyList<Tensor> mlps, Tensor logits) => (_heads, _mlps, _logits) = (heads, mlps, logits);

    /// <summary>The rows the gradients are for (the batch when summed over repeats).</summary>
    public long Rows => _logits.shape[0];

    /// <summary>
    /// ∂F/∂x_v in receiver order grouped per layer: [rows, pos, 3H, d_model] for the heads' q, k, v
    /// inputs and [rows, pos, 1, d_model] for the MLP, then [rows, pos, 1, d_model] for the logits.
    /// </summary>
    public Tensor[] Dense() =>
        _heads.Zip(_mlps, (h, m) => new[] { h.Dense(), m.alias() }).SelectMany(x => x).Append(_logits.alias()).ToArray();

    /// <summary>
    /// Per edge, Σ_{pos, d} Δ_u · ∂F/∂x_v: [rows, E] in edge order, from Δ [rows, pos, S, d_model].
    /// Δ is laid out once as [rows, S, pos·d_model], so each group is one batched matrix product with
    /// a prefix of its senders.
    /// </summary>
    public Tensor Scores(EdgeGraph graph, Tensor deltas)
    {
        using var scope = NewDisposeScope();
        long rows = deltas.shape[0], width = deltas.shape[1] * deltas.shape[3];
        if (rows != Rows) throw new ArgumentException($"Δ has {rows} rows, the gradients {Rows}", nameof(deltas));
        var senders = deltas.permute(0, 2, 1, 3).reshape(rows, deltas.shape[2], width);
        // [rows, receivers, senders] per group: receiver-major, sender-minor, which is the edge order.
        Tensor Dot(Tensor gradient, int sendersIn) =>
            gradient.permute(0, 2, 1, 3).reshape(rows, gradient.shape[2], width).bmm(senders[.., ..sendersIn].transpose(1, 2));
        var parts = new List<Tensor>();
        for (int l = 0; l < graph.Layers; l++)
        {
            int headsReceive = graph.FirstSenderOfLayer(l), mlpReceives = headsReceive + graph.Heads;
            parts.Add(_heads[l].Scores(Dot, deltas, headsReceive).reshape(rows, -1));
            parts.Add(Dot(_mlps[l], mlpReceives).reshape(rows, -1));
        }
        parts.Add(Dot(_logits, graph.Senders.Count).reshape(rows, -1));
        return cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The sum of two gradients of the same rows (steps of one Riemann sum taken in separate chunks).</summary>
    public ReceiverGradients Plus(ReceiverGradients other)
    {
        if (other.Rows != Rows) throw new ArgumentException($"gradients of {other.Rows} rows cannot be added to gradients of {Rows}", nameof(other));
        return new ReceiverGradients(_heads.Zip(other._heads, (a, b) => a.Plus(b)).ToList(), _mlps.Zip(other._mlps, (a, b) => a + b).ToList(), _logits + other._logits);
    }

    public ReceiverGradients MoveToOuterDisposeScope()
    {
        foreach (var t in Tensors) t.MoveToOuterDisposeScope();
        return this;
    }

    public void Dispose()
    {
        foreach (var t in Tensors) t.Dispose();
    }

    private IEnumerable<Tensor> Tensors => _heads.SelectMany(h => h.Tensors).Concat(_mlps).Append(_logits);

    /// <summary>A [repeats·batch, ...] stack as Σ_k w_k of its repeats: [batch, ...] (<paramref name="weights"/> [repeats]).</summary>
    public static Tensor Sum(Tensor stacked, Tensor weights)
    {
        int repeats = (int)weights.shape[0];
        var byRepeat = stacked.view([repeats, stacked.shape[0] / repeats, .. stacked.shape[1..]]);
        return (byRepeat * weights.view([repeats, .. Enumerable.Repeat(1L, (int)stacked.dim())])).sum(0L);  // 0L: a literal 0 would bind to sum(ScalarType)
    }
}

/// <summary>∂F/∂x_v of one layer's 3H head receivers.</summary>
internal interface IHeadInputs
{
    /// <summary>[rows, pos, 3H, d_model].</summary>
    Tensor Dense();

    /// <summary>[rows, 3H, S_l] for the layer's first <paramref name="senders"/> senders, from Δ of every sender [rows, pos, S, d_model]; <paramref name="dot"/> contracts a dense gradient with the first ones.</summary>
    Tensor Scores(Func<Tensor, int, Tensor> dot, Tensor deltas, int senders);

    IHeadInputs Plus(IHeadInputs other);

    IEnumerable<Tensor> Tensors { get; }
}

/// <summary>A split-input run's head gradients, one residual-sized vector per receiver, as autograd gives them.</summary>
internal sealed record DenseHeadInputs(Tensor Gradient) : IHeadInputs
{
    public Tensor Dense() => Gradient.alias();
    public Tensor Scores(Func<Tensor, int, Tensor> dot, Tensor deltas, int senders) => dot(Gradient, senders);
    public IHeadInputs Plus(IHeadInputs other) => new DenseHeadInputs(Gradient + ((DenseHeadInputs)other).Gradient);
    public IEnumerable<Tensor> Tensors => [Gradient];
}

/// <summary>
/// A shared-input layer's head gradients, factored through ln_1 (see <see cref="ReceiverGradients"/>):
/// ∂F/∂x = γ⊙(W·Projected) − Centre − Σ_k AlongXHat_k·x̂_k, where the first two are summed over the
/// repeats and the last is kept per repeat, whose x̂ differ.
/// </summary>
/// <param name="Projected">Σ_k w_k g_k/σ_k [rows, pos, 3H, d_head].</param>
/// <param name="Centre">Σ_k w_k mean(γ⊙W g_k)/σ_k [rows, pos, 3H].</param>
/// <param name="AlongXHat">w_k mean(γ⊙W g_k⊙x̂_k)/σ_k [repeats, rows, pos, 3H].</param>
/// <param name="XHat">x̂_k [repeats, rows, pos, d_model].</param>
/// <param name="Weights">The model's W_Q, W_K, W_V [d_model, d_model] (not owned).</param>
/// <param name="Gamma">ln_1's scale [d_model] (the model's, not owned).</param>
internal sealed record FactoredHeadInputs(Tensor Projected, Tensor Centre, Tensor AlongXHat, Tensor XHat, IReadOnlyList<Tensor> Weights, Tensor Gamma) : IHeadInputs
{
    private Tensor Projection()
    {
        long d = Gamma.shape[0], heads = Projected.shape[2] / Weights.Count, dHead = Projected.shape[3];
        var parts = Weights.Select((w, i) => einsum("bphe,dhe->bphd", Projected[.., .., (int)(i * heads)..(int)((i + 1) * heads)], w.view(d, heads, dHead)));
        return cat(parts.ToArray(), 2) * Gamma - Centre.unsqueeze(-1);
    }

    public Tensor Dense() => Projection() - einsum("kbph,kbpd->bphd", AlongXHat, XHat);

    public Tensor Scores(Func<Tensor, int, Tensor> dot, Tensor deltas, int senders)
    {
        // Σ_k Σ_p AlongXHat_k (Δ_u·x̂_k) in two contractions (one three-operand einsum would expand
        // [k, rows, pos, 3H, S, d]), the first over every sender: Δ is contiguous, a prefix of it is not.
        var alongDeltas = einsum("bpsd,kbpd->kbps", deltas, XHat)[.., .., .., ..senders];
        return dot(Projection(), senders) - einsum("kbph,kbps->bhs", AlongXHat, alongDeltas);
    }

    public IHeadInputs Plus(IHeadInputs other)
    {
        var o = (FactoredHeadInputs)other;
        return new FactoredHeadInputs(Projected + o.Projected, Centre + o.Centre, cat([AlongXHat, o.AlongXHat], 0), cat([XHat, o.XHat], 0), Weights, Gamma);
    }

    public IEnumerable<Tensor> Tensors => [Projected, Centre, AlongXHat, XHat];
}
