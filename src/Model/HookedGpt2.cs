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

    /// <summary>Loads <c>config.json</c> and <c>model.safetensors</c> from a folder.</summary>
    public static HookedGpt2 Load(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (!Directory.Exists(folder)) throw new ModelFileException($"{folder}: model folder not found");
        var config = Gpt2Config.Load(Path.Combine(folder, "config.json"));
        var weights = Gpt2Weights.Load(Path.Combine(folder, "model.safetensors"), config, dtype, device);
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
        if (prefix is not null && (start.IsGlobal || start.Kind is HookKind.Q or HookKind.K or HookKind.V or HookKind.Pattern))
            throw new ArgumentException($"{start.Name}: a shared prefix needs a start after the block's attention scores");
        var pass = new Pass(this, null, start, value, upstream, hooks ?? HookSet.Empty, cache) { Prefix = prefix };
        return pass.Logits(readPositions);
    }

    internal Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias)
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
            bool gathered = false;
            for (int l = first; l < Model.Config.NLayer; l++)
            {
                if (l == last && lastAtReadOnly)
                {
                    using var lastScope = NewDisposeScope();
                    resid = LastBlockAt(input(), readPositions!.to(input().device), Model.Weights.Blocks[l], l).MoveToOuterDisposeScope();
                    gathered = true;
                    break;
                }
                // One scope per block: intermediates of a block are freed as soon as it is done,
                // which keeps memory flat however many blocks and runs there are.
                using var scope = NewDisposeScope();
                var block = new BlockPass(this, l, Model.Weights.Blocks[l], input);
                resid = block.ResidPost.MoveToOuterDisposeScope();
                var captured = resid;
                input = () => captured;
            }
            var w = Model.Weights;
            if (readPositions is not null && !gathered)
            {
                var rows = arange(Batch, dtype: ScalarType.Int64, device: resid.device);
                resid = resid[rows, readPositions.to(resid.device)];
            }
            var normalised = Model.LayerNorm(resid, w.LnFinalWeight, w.LnFinalBias);
            var logits = normalised.matmul(w.TokenEmbedding.t());
            return logits.MoveToOuterDisposeScope();
        }

        /// <summary>
        /// The last block at one position per prompt: keys and values over every position (and the
        /// shared prefix), queries, attention output and MLP only at <paramref name="positions"/>.
        /// Returns resid_post there, [batch, d_model]; the same arithmetic as the full block.
        /// </summary>
        private Tensor LastBlockAt(Tensor residPre, Tensor positions, BlockWeights w, int layer)
        {
            var c = Model.Config;
            long b = residPre.shape[0], p = residPre.shape[1];
            var rows = arange(b, dtype: ScalarType.Int64, device: residPre.device);
            var ln1 = Model.LayerNorm(residPre, w.Ln1Weight, w.Ln1Bias);
            var k = (ln1.matmul(w.WK) + w.BK).view(b, p, c.NHead, c.DHead);
            var v = (ln1.matmul(w.WV) + w.BV).view(b, p, c.NHead, c.DHead);
            long offset = 0;
            if (Prefix is { } prefix)
            {
                var (prefixK, prefixV) = prefix.KeysValues(layer);
                k = cat([prefixK, k], 1);
                v = cat([prefixV, v], 1);
                offset = prefix.Length;
            }
            var q = (ln1[rows, positions].matmul(w.WQ) + w.BQ).view(b, c.NHead, 1, c.DHead);          // [b, h, 1, dh]
            var scores = q.matmul(k.permute(0, 2, 3, 1)) / Math.Sqrt(c.DHead);                         // [b, h, 1, keys]
            var future = arange(offset + p, device: residPre.device).view(1, 1, 1, -1) > (positions + offset).view(-1, 1, 1, 1);
            var pattern = F.softmax(scores.masked_fill(future, double.NegativeInfinity), -1);
            var z = pattern.matmul(v.permute(0, 2, 1, 3)).reshape(b, c.NEmbd);                        // [b, h·dh]
            var residMid = residPre[rows, positions] + (z.matmul(w.WO) + w.BO);
            var mlpIn = Model.LayerNorm(residMid, w.Ln2Weight, w.Ln2Bias);
            var post = Model.Activation(mlpIn.matmul(w.WIn) + w.BIn);
            return residMid + (post.matmul(w.WOut) + w.BOut);
        }
    }

    private sealed class BlockPass(Pass pass, int layer, BlockWeights w, Func<Tensor> input)
    {
        private Tensor? _residPre, _ln1, _q, _k, _v, _pattern, _z, _attnOut, _residMid, _mlpIn, _pre, _post, _mlpOut, _residPost;
        private long B => pass.Batch;
        private long P => pass.Positions;
        private Gpt2Config C => pass.Model.Config;

        private Tensor Heads(Tensor x) => x.view(B, P, C.NHead, C.DHead);

        public Tensor ResidPre => _residPre ??= pass.Point(HookPoint.ResidPre(layer), input);
        private Tensor Ln1 => _ln1 ??= pass.Model.LayerNorm(ResidPre, w.Ln1Weight, w.Ln1Bias);
        public Tensor Q => _q ??= pass.Point(HookPoint.Q(layer), () => Heads(Ln1.matmul(w.WQ) + w.BQ));
        public Tensor K => _k ??= pass.Point(HookPoint.K(layer), () => Heads(Ln1.matmul(w.WK) + w.BK));
        public Tensor V => _v ??= pass.Point(HookPoint.V(layer), () => Heads(Ln1.matmul(w.WV) + w.BV));

        // With a shared prefix of length p, keys and values are the prefix's (cached) followed by
        // this run's own, and query i sits at position p + i.
        private (Tensor Keys, Tensor Values)? _prefixKv;
        private (Tensor Keys, Tensor Values) PrefixKv => _prefixKv ??= pass.Prefix!.KeysValues(layer);
        private Tensor KeysAll => pass.Prefix is null ? K : cat([PrefixKv.Keys, K], 1);
        private Tensor ValuesAll => pass.Prefix is null ? V : cat([PrefixKv.Values, V], 1);

        public Tensor Pattern => _pattern ??= pass.Point(HookPoint.Pattern(layer), () =>
        {
            long offset = pass.Prefix?.Length ?? 0;
            var q = Q.permute(0, 2, 1, 3);                      // [b, h, q, dh]
            var k = KeysAll.permute(0, 2, 3, 1);                // [b, h, dh, k]
            var scores = q.matmul(k) / Math.Sqrt(C.DHead);
            var future = ones(P, offset + P, dtype: ScalarType.Bool, device: scores.device).triu(offset + 1);
            return F.softmax(scores.masked_fill(future, double.NegativeInfinity), -1);
        });

        // z is [batch, pos, head, d_head]; the heads' outputs are summed by one matmul with W_O,
        // never materialised per head.
        public Tensor Z => _z ??= pass.Point(HookPoint.Z(layer), () =>
        {
            var pattern = Pattern;
            return pattern.matmul(ValuesAll.permute(0, 2, 1, 3)).permute(0, 2, 1, 3);
        });

        public Tensor AttnOut => _attnOut ??= pass.Point(HookPoint.AttnOut(layer), () =>
            Z.reshape(B, P, C.NEmbd).matmul(w.WO) + w.BO);

        public Tensor ResidMid => _residMid ??= pass.Point(HookPoint.ResidMid(layer), () => ResidPre + AttnOut);
        // hook_mlp_in is what the MLP's first linear map reads: resid_mid after ln_2 (as in the
        // golden implementation), so patching it changes the MLP alone, never the residual stream.
        public Tensor MlpIn => _mlpIn ??= pass.Point(HookPoint.MlpIn(layer), () => pass.Model.LayerNorm(ResidMid, w.Ln2Weight, w.Ln2Bias));
        public Tensor Pre => _pre ??= pass.Point(HookPoint.MlpPre(layer), () => MlpIn.matmul(w.WIn) + w.BIn);
        public Tensor Post => _post ??= pass.Point(HookPoint.MlpPost(layer), () => pass.Model.Activation(Pre));
        public Tensor MlpOut => _mlpOut ??= pass.Point(HookPoint.MlpOut(layer), () => Post.matmul(w.WOut) + w.BOut);
        public Tensor ResidPost => _residPost ??= pass.Point(HookPoint.ResidPost(layer), () => ResidMid + MlpOut);
    }

    public void Dispose() => Weights.Dispose();
}
