using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Concord.Model;

/// <summary>
/// GPT-2 exactly as Hugging Face's <c>GPT2LMHeadModel</c>, with every activation exposed as a
/// <see cref="HookPoint"/>: a run can record any of them into an <see cref="ActivationCache"/>,
/// replace any of them through a <see cref="HookSet"/>, and start at any of them from cached
/// upstream values (run-from-hook), computing only the rest of the network.
/// </summary>
public sealed class HookedGpt2 : IDisposable
{
    public Gpt2Config Config => Weights.Config;
    public Gpt2Weights Weights { get; }
    public ScalarType DType { get; }
    public Device Device { get; }
    public ForwardVariant Variant { get; }

    public HookedGpt2(Gpt2Weights weights, ForwardVariant? variant = null)
    {
        Weights = weights;
        DType = weights.TokenEmbedding.dtype;
        Device = weights.TokenEmbedding.device;
        Variant = variant ?? ForwardVariant.Standard;
    }

    /// <summary>Loads <c>config.json</c> and <c>model.safetensors</c> from a folder; <paramref name="cancel"/> is checked between tensors.</summary>
    public static HookedGpt2 Load(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null, CancellationToken cancel = default)
    {
        if (!Directory.Exists(folder)) throw new ModelFileException($"{folder}: model folder not found");
        var config = Gpt2Config.Load(Path.Combine(folder, "config.json"));
        var weights = Gpt2Weights.Load(Path.Combine(folder, "model.safetensors"), config, dtype, device, cancel);
        return new HookedGpt2(weights);
    }

    /// <summary>The same weights, run with other nonlinearities (tests of exact identities).</summary>
    public HookedGpt2 WithVariant(ForwardVariant variant) => new(Weights, variant);

    /// <summary>
    /// Runs the model on right-padded <paramref name="tokens"/> [batch, pos]. Returns logits
    /// [batch, pos, vocab], or [batch, vocab] at <paramref name="readPositions"/> (one position
    /// per prompt, normally its last real token), computing the unembedding only there.
    /// </summary>
    public Tensor Run(Tensor tokens, HookSet? hooks = null, ActivationCache? cache = null, Tensor? readPositions = null)
    {
        using var scope = NewDisposeScope();
        if (tokens.dim() != 2) throw new ArgumentException($"tokens must be [batch, pos], got [{string.Join(", ", tokens.shape)}]");
        if (tokens.shape[1] > Config.NPositions)
            throw new ArgumentException($"prompt of {tokens.shape[1]} tokens exceeds the model's {Config.NPositions} positions");
        if (tokens.numel() > 0)
        {
            long lo = tokens.min().item<long>(), hi = tokens.max().item<long>();
            if (lo < 0 || hi >= Config.VocabSize)
                throw new ArgumentException($"token id {(lo < 0 ? lo : hi)} is outside the model's vocabulary 0..{Config.VocabSize - 1}");
        }
        var pass = new Pass(this, tokens.to(Device), null, null, null, hooks ?? HookSet.Empty, cache);
        return pass.Logits(readPositions).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Starts a run at <paramref name="start"/> with <paramref name="value"/> in place of that
    /// activation, taking what it needs from upstream (<see cref="HookPoint.UpstreamNeeds"/>) out
    /// of <paramref name="upstream"/>. Equals the full run when value and upstream come from it.
    /// </summary>
    /// <param name="prefix">
    /// Positions before <see cref="SharedPrefix.Length"/> are the same in this run as in the run the
    /// prefix's keys and values come from: <paramref name="value"/>, <paramref name="upstream"/> and
    /// <paramref name="readPositions"/> then cover only the later positions, and each block's
    /// attention reads the prefix's cached keys and values instead of recomputing them.
    /// </param>
    public Tensor RunFrom(HookPoint start, Tensor value, ActivationCache upstream, HookSet? hooks = null,
        ActivationCache? cache = null, Tensor? readPositions = null, SharedPrefix? prefix = null)
    {
        if (!start.IsGlobal && (start.Layer < 0 || start.Layer >= Config.NLayer))
            throw new ArgumentException($"{start.Name}: the model has layers 0..{Config.NLayer - 1}");
        if (start.IsPerHead) throw new ArgumentException($"{start.Name}: a run cannot start at a per-head copy; start at the block's hook_resid_pre, or hook the copy in a full run");
        if (prefix is not null && (start.IsGlobal || start.Kind is HookKind.Q or HookKind.K or HookKind.V or HookKind.Pattern))
            throw new ArgumentException($"{start.Name}: a shared prefix needs a start after the block's attention scores");
        var pass = new Pass(this, null, start, value, upstream, hooks ?? HookSet.Empty, cache) { Prefix = prefix };
        return pass.Logits(readPositions);
    }

    /// <summary>A LayerNorm over the last dimension as this model's variant applies it (patches that start after an ln read it).</summary>
    public Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias)
    {
        if (!Variant.NormaliseInLayerNorm) return x * weight + bias;
        return F.layer_norm(x, [Config.NEmbd], weight, bias, Config.LayerNormEpsilon);
    }

    internal Tensor Activation(Tensor x) => Variant.Gelu ? F.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh) : x.alias();

    /// <summary>One forward pass: lazily computes each activation when something downstream asks for it.</summary>
    private sealed class Pass(HookedGpt2 model, Tensor? tokens, HookPoint? start, Tensor? startValue,
        ActivationCache? upstream, HookSet hooks, ActivationCache? cache)
    {
        public readonly HookedGpt2 Model = model;
        public SharedPrefix? Prefix { get; init; }
        public readonly long Batch = tokens?.shape[0] ?? startValue!.shape[0];
        public readonly long Positions = tokens?.shape[1] ?? (start!.Value.Kind == HookKind.Pattern ? startValue!.shape[2] : startValue!.shape[1]);

        /// <summary>Whether a hook or the cache asks for <paramref name="p"/> and the run computes it (it is not upstream of the start).</summary>
        public bool Wants(HookPoint p) => !(start is HookPoint s && p < s) && (hooks.Has(p) || cache?.Wants(p) == true);

        public Tensor Point(HookPoint p, Func<Tensor> compute)
        {
            Tensor value;
            if (start is HookPoint s && p < s) return upstream![p];
            value = start is HookPoint s2 && p == s2 ? startValue! : compute();
            value = hooks.Apply(p, value);
            if (cache is not null && cache.Wants(p)) cache.Store(p, value);
            return value;
        }

        private Tensor Embedding()
        {
            var embed = Point(HookPoint.Embed, () =>
                Model.Weights.TokenEmbedding.index_select(0, tokens!.flatten()).reshape(Batch, Positions, Model.Config.NEmbd));
            var posEmbed = Point(HookPoint.PosEmbed, () =>
                Model.Weights.PositionEmbedding[..(int)Positions].unsqueeze(0).expand(Batch, Positions, Model.Config.NEmbd));
            return embed + posEmbed;
        }

        public Tensor Logits(Tensor? readPositions)
        {
            using var outer = NewDisposeScope();
            int first = start is HookPoint s && !s.IsGlobal ? s.Layer : 0;
            Func<Tensor> input = first == 0 && (start is null || start.Value.IsGlobal)
                ? Embedding
                : () => throw new InvalidOperationException("unreachable: the start block reads its residual from the start value or the cache");
            Tensor resid = null!;
            int last = Model.Config.NLayer - 1;
            // When only the read positions' logits are wanted and nothing observes the last block,
            // that block needs its queries, attention output and MLP at those positions alone.
            bool lastAtReadOnly = readPositions is not null && first < last && cache is null && !hooks.TouchesLayer(last);
            for (int l = first; l < Model.Config.NLayer; l++)
            {
                // One scope per block: intermediates of a block are freed as soon as it is done,
                // which keeps memory flat however many blocks and runs there are.
                using var scope = NewDisposeScope();
                var queries = l == last && lastAtReadOnly ? readPositions!.to(Model.Device).unsqueeze(1) : null;
                var block = new BlockPass(this, l, Model.Weights.Blocks[l], input, queries);
                resid = block.ResidPost.MoveToOuterDisposeScope();
                var captured = resid;
                input = () => captured;
            }
            var w = Model.Weights;
            if (lastAtReadOnly) resid = resid.squeeze(1);
            else if (readPositions is not null)
            {
                var rows = arange(Batch, dtype: ScalarType.Int64, device: resid.device);
                resid = resid[rows, readPositions.to(resid.device)];
            }
            var normalised = Model.LayerNorm(resid, w.LnFinalWeight, w.LnFinalBias);
            var logits = normalised.matmul(w.TokenEmbedding.t());
            return logits.MoveToOuterDisposeScope();
        }
    }

    /// <summary>One transformer block, computed lazily from <paramref name="input"/> (its resid_pre).</summary>
    /// <param name="queries">
    /// Null: every position, each activation through its hook point. Otherwise [batch, n] positions,
    /// the only ones whose queries, attention output and MLP are computed (what a read of the last
    /// block alone needs); keys and values still cover every position, as those queries attend to
    /// them. Everything from <see cref="Q"/> on is then [batch, n, …].
    /// </param>
    private sealed class BlockPass(Pass pass, int layer, BlockWeights w, Func<Tensor> input, Tensor? queries = null)
    {
        private Tensor? _residPre, _ln1, _q, _k, _v, _pattern, _z, _attnOut, _residMid, _mlpIn, _pre, _post, _mlpOut, _residPost;
        private long B => pass.Batch;
        private long P => pass.Positions;
        private long N => queries?.shape[1] ?? P;
        private Gpt2Config C => pass.Model.Config;

        private Tensor Heads(Tensor x) => x.view(B, x.shape[1], C.NHead, C.DHead);

        // Pass.Logits restricts the queries only when nothing observes the block, and the restricted
        // values are not the hook points' shapes anyway: none of them may reach a hook or the cache.
        private Tensor Point(HookPoint p, Func<Tensor> compute) => queries is null ? pass.Point(p, compute) : compute();

        private Tensor AtQueries(Tensor x) =>
            queries is null ? x : x[arange(B, dtype: ScalarType.Int64, device: x.device).unsqueeze(1), queries];

        public Tensor ResidPre => _residPre ??= Point(HookPoint.ResidPre(layer), input);
        private Tensor Ln1 => _ln1 ??= pass.Model.LayerNorm(ResidPre, w.Ln1Weight, w.Ln1Bias);
        public Tensor Q => _q ??= Point(HookPoint.Q(layer), () => Wanted(HookPoint.QInput(layer)) ? PerHead(HookPoint.QInput(layer), w.WQ, w.BQ) : Heads(AtQueries(Ln1).matmul(w.WQ) + w.BQ));
        public Tensor K => _k ??= Point(HookPoint.K(layer), () => Wanted(HookPoint.KInput(layer)) ? PerHead(HookPoint.KInput(layer), w.WK, w.BK) : Heads(Ln1.matmul(w.WK) + w.BK));
        public Tensor V => _v ??= Point(HookPoint.V(layer), () => Wanted(HookPoint.VInput(layer)) ? PerHead(HookPoint.VInput(layer), w.WV, w.BV) : Heads(Ln1.matmul(w.WV) + w.BV));

        // A per-head point is computed only when asked for, and never in a restricted block (whose values are not the points' shapes).
        private bool Wanted(HookPoint p) => queries is null && pass.Wants(p);

        /// <summary>Split inputs: each head's copy of resid_pre through its own ln_1 and its own columns of W (TransformerLens's use_split_qkv_input).</summary>
        private Tensor PerHead(HookPoint point, Tensor weight, Tensor bias)
        {
            var copies = Point(point, () => ResidPre.unsqueeze(2).expand(B, P, C.NHead, C.NEmbd));
            var normalised = pass.Model.LayerNorm(copies, w.Ln1Weight, w.Ln1Bias);
            return einsum("bphd,hde->bphe", normalised, weight.view(C.NEmbd, C.NHead, C.DHead).permute(1, 0, 2)) + bias.view(C.NHead, C.DHead);
        }

        // With a shared prefix of length p, keys and values are the prefix's (cached) followed by
        // this run's own, and query i sits at position p + i.
        private (Tensor Keys, Tensor Values)? _prefixKv;
        private (Tensor Keys, Tensor Values) PrefixKv => _prefixKv ??= pass.Prefix!.KeysValues(layer);
        private Tensor KeysAll => pass.Prefix is null ? K : cat([PrefixKv.Keys, K], 1);
        private Tensor ValuesAll => pass.Prefix is null ? V : cat([PrefixKv.Values, V], 1);

        public Tensor Pattern => _pattern ??= Point(HookPoint.Pattern(layer), () =>
        {
            long offset = pass.Prefix?.Length ?? 0;
            var q = Q.permute(0, 2, 1, 3);                      // [b, h, q, dh]
            var k = KeysAll.permute(0, 2, 3, 1);                // [b, h, dh, k]
            var scores = q.matmul(k);
            var keyAt = arange(offset + P, device: scores.device).view(1, 1, 1, offset + P);
            var queryAt = (queries ?? arange(P, device: scores.device).view(1, P)) + offset;
            var future = keyAt > queryAt.view(queryAt.shape[0], 1, N, 1);
            return CausalAttention.Pattern(scores, C.DHead, future);
        });

        // z is [batch, pos, head, d_head]; the heads' outputs are summed by one matmul with W_O,
        // never materialised per head.
        public Tensor Z => _z ??= Point(HookPoint.Z(layer), () =>
        {
            var pattern = Pattern;
            return pattern.matmul(ValuesAll.permute(0, 2, 1, 3)).permute(0, 2, 1, 3);
        });

        public Tensor AttnOut => _attnOut ??= Point(HookPoint.AttnOut(layer), () =>
            Wanted(HookPoint.Result(layer)) ? Result.sum(2) + w.BO : Z.reshape(B, N, C.NEmbd).matmul(w.WO) + w.BO);

        /// <summary>Each head's output z_h·W_O[h] [batch, pos, head, d_model]: only when asked for (<see cref="HookPoint.IsPerHead"/>).</summary>
        private Tensor Result => Point(HookPoint.Result(layer), () => einsum("bphe,hed->bphd", Z, w.WO.view(C.NHead, C.DHead, C.NEmbd)));

        public Tensor ResidMid => _residMid ??= Point(HookPoint.ResidMid(layer), () => AtQueries(ResidPre) + AttnOut);
        // hook_mlp_in is what the MLP's first linear map reads: resid_mid after ln_2 (as in the
        // golden implementation), so patching it changes the MLP alone, never the residual stream.
        public Tensor MlpIn => _mlpIn ??= Point(HookPoint.MlpIn(layer), () => pass.Model.LayerNorm(ResidMid, w.Ln2Weight, w.Ln2Bias));
        public Tensor Pre => _pre ??= Point(HookPoint.MlpPre(layer), () => MlpIn.matmul(w.WIn) + w.BIn);
        public Tensor Post => _post ??= Point(HookPoint.MlpPost(layer), () => pass.Model.Activation(Pre));
        public Tensor MlpOut => _mlpOut ??= Point(HookPoint.MlpOut(layer), () => Post.matmul(w.WOut) + w.BOut);
        public Tensor ResidPost => _residPost ??= Point(HookPoint.ResidPost(layer), () => ResidMid + MlpOut);
    }

    public void Dispose() => Weights.Dispose();
}
