using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution;

/// <summary>
/// The cached runs every method starts from: the base run (clean when noising) with the
/// activations to attribute and what run-from-hook needs upstream, and the other run's
/// activations (a'). Built once per batch; patched and interpolated runs start at the hook.
/// </summary>
public sealed class AttributionContext : IDisposable
{
    public HookedGpt2 Model { get; }
    public AttributionOptions Options { get; }
    public TokenBatch BaseTokens { get; }
    public TokenBatch OtherTokens { get; }
    public IPromptMetric Metric { get; }
    public ActivationCache BaseCache { get; }
    public ActivationCache OtherCache { get; }
    /// <summary>Metric of the base run [batch] (clean when noising).</summary>
    public Tensor BaseMetric { get; }
    /// <summary>Metric of the other run [batch] (corrupted when noising).</summary>
    public Tensor OtherMetric { get; }
    public int Batch => BaseTokens.Count;

    /// <summary>Checked before every stacked run, so a long unit stops within one chunk of a Ctrl-C.</summary>
    public CancellationToken Cancellation { get; set; }

    private readonly Dictionary<string, object> _memo = [];

    /// <summary>
    /// A result computed once per context under <paramref name="key"/> and shared by every method
    /// run on it (AtP scores every kind from one backward pass; the sweep's s·AtP reuses it).
    /// </summary>
    public T Memo<T>(string key, Func<T> compute) where T : class
    {
        if (_memo.TryGetValue(key, out var found)) return (T)found;
        var value = compute();
        _memo[key] = value;
        return value;
    }

    /// <summary>Forward passes this context and the methods on it have run (for tests and benchmarks).</summary>
    public int RunsCounted { get; internal set; }

    private AttributionContext(HookedGpt2 model, AttributionOptions options, TokenBatch baseTokens, TokenBatch otherTokens,
        IPromptMetric metric, ActivationCache baseCache, ActivationCache otherCache, Tensor baseMetric, Tensor otherMetric)
    {
        Model = model;
        Options = options;
        BaseTokens = baseTokens;
        OtherTokens = otherTokens;
        Metric = metric;
        BaseCache = baseCache;
        OtherCache = otherCache;
        BaseMetric = baseMetric;
        OtherMetric = otherMetric;
    }

    /// <summary>Runs the base and the other prompts once, caching what the given component kinds need at every layer.</summary>
    /// <param name="gradientAtBase">Record the base run's autograd graph at the scored hooks, so that
    /// attribution patching needs only a backward pass (no second forward).</param>
    public static AttributionContext Create(HookedGpt2 model, TaskBatch batch, IEnumerable<TargetSpace> kinds,
        AttributionOptions? options = null, bool gradientAtBase = false) =>
        Create(model, batch.Clean, batch.Corrupted, batch.Metric, kinds, options, gradientAtBase);

    /// <summary>
    /// The same for any prompts and metric: clean and corrupted token batches of equal width whose
    /// prompts align position for position, and a metric of one's own (bring-your-own task).
    /// </summary>
    /// <param name="alsoCache">Further hook points cached in both runs (the edge methods read every sender's output and every receiver's input).</param>
    public static AttributionContext Create(HookedGpt2 model, TokenBatch clean, TokenBatch corrupted, IPromptMetric metric,
        IEnumerable<TargetSpace> kinds, AttributionOptions? options = null, bool gradientAtBase = false, IEnumerable<HookPoint>? alsoCache = null)
    {
        if (clean.Count != corrupted.Count || clean.Width != corrupted.Width || !clean.Lengths.SequenceEqual(corrupted.Lengths))
            throw new ArgumentException("clean and corrupted prompts must pair up with equal token lengths (positions align)");
        options ??= AttributionOptions.Default;
        var spaces = kinds.ToList();
        var layouts = spaces.Where(k => k.IsNode).Select(k => new ComponentLayout(k, model.Config)).ToList();
        // A space of another kind names the hooks its methods read; they are cached like the edge methods' extra hooks.
        alsoCache = (alsoCache ?? []).Concat(spaces.Where(k => !k.IsNode).SelectMany(k => Enumerable.Range(0, model.Config.NLayer).SelectMany(k.CachedAt))).ToList();
        var sources = new HashSet<HookPoint>();
        var baseNeeds = new HashSet<HookPoint>();
        for (int l = 0; l < model.Config.NLayer; l++)
        {
            foreach (var layout in layouts)
            {
                sources.Add(layout.Source(l));
                baseNeeds.Add(layout.Source(l));
                baseNeeds.UnionWith(layout.Hook(l).UpstreamNeeds);
            }
            // The shared prefix's keys and values, read by every run from a hook (prefix reuse).
            baseNeeds.Add(HookPoint.K(l));
            baseNeeds.Add(HookPoint.V(l));
        }
        foreach (var point in alsoCache ?? [])
        {
            sources.Add(point);
            baseNeeds.Add(point);
        }
        var (baseTokens, otherTokens) = options.Direction == Direction.Noising ? (clean, corrupted) : (corrupted, clean);

        var baseCache = new ActivationCache(baseNeeds.Contains);
        var otherCache = new ActivationCache(sources.Contains);
        using var scope = NewDisposeScope();
        var recorded = new Dictionary<HookPoint, Tensor>();
        var baseHooks = options.FixedHooks ?? HookSet.Empty;
        if (gradientAtBase) baseHooks = baseHooks.Concat(GradientRecorder(ScoredHooks(layouts, model.Config.NLayer), recorded));
        var baseMetric = metric.EvaluateBatch(model.Run(baseTokens.Tokens, baseHooks, baseCache, baseTokens.LastPositions));
        var otherMetric = metric.EvaluateBatch(model.Run(otherTokens.Tokens, options.FixedHooks, otherCache, otherTokens.LastPositions));
        return new AttributionContext(model, options, baseTokens, otherTokens, metric, baseCache, otherCache,
            baseMetric.detach().DetachFromDisposeScope(), otherMetric.DetachFromDisposeScope())
        {
            PrefixLength = SharedPrefixLength(clean, corrupted),
            RunsCounted = 2,
            _baseGraph = gradientAtBase ? (recorded, baseMetric.sum().DetachFromDisposeScope()) : null,
        };
    }

    private (Dictionary<HookPoint, Tensor> Recorded, Tensor MetricSum)? _baseGraph;

    /// <summary>
    /// Positions before which every prompt's clean and corrupted tokens agree (capped at each
    /// prompt's last real token, which is always recomputed): the prefix runs from a hook share.
    /// </summary>
    public int PrefixLength { get; private init; }

    private static int SharedPrefixLength(TokenBatch clean, TokenBatch corrupted)
    {
        var a = clean.Tokens.cpu().data<long>().ToArray();
        var b = corrupted.Tokens.cpu().data<long>().ToArray();
        int width = (int)clean.Width;
        return Enumerable.Range(0, clean.Count)
            .Select(i => SharedPrefix.LengthOf(a.AsSpan(i * width, width), b.AsSpan(i * width, width), clean.Lengths[i]))
            .Append(width).Min();
    }

    internal static HashSet<HookPoint> ScoredHooks(IEnumerable<ComponentLayout> layouts, int nLayer) =>
        layouts.SelectMany(layout => Enumerable.Range(0, nLayer).Select(layout.Hook)).ToHashSet();

    /// <summary>
    /// Hooks that record the given activations with their autograd graph. The earliest becomes a leaf
    /// that requires grad, so everything downstream is tracked and a backward pass stops there. The
    /// forward pass frees each block's tensors when the block ends; the recorded ones outlive it.
    /// </summary>
    internal static HookSet GradientRecorder(IReadOnlySet<HookPoint> points, Dictionary<HookPoint, Tensor> recorded)
    {
        var first = points.Min();
        var hooks = new HookSet();
        foreach (var point in points)
            hooks.Add(point, (v, p) => recorded[p] = (p == first ? v.detach().requires_grad_(true) : v).DetachFromDisposeScope());
        return hooks;
    }

    /// <summary>
    /// ∂(Σ_prompts F)/∂x at the base point for each hook, from the base run's graph when it was
    /// recorded (once: the graph is freed by the backward pass), else by a forward and a backward pass.
    /// </summary>
    internal Dictionary<HookPoint, Tensor> GradientsAtBase(IReadOnlySet<HookPoint> points)
    {
        Dictionary<HookPoint, Tensor> recorded;
        Tensor metricSum;
        if (_baseGraph is var (r, m) && points.IsSubsetOf(r.Keys))
        {
            (recorded, metricSum) = (r, m);
            _baseGraph = null;
        }
        else
        {
            recorded = new Dictionary<HookPoint, Tensor>();
            var hooks = (Options.FixedHooks ?? HookSet.Empty).Concat(GradientRecorder(points, recorded));
            using var logits = Model.Run(BaseTokens.Tokens, hooks, readPositions: BaseTokens.LastPositions);
            metricSum = Metric.EvaluateBatch(logits).sum();
            RunsCounted++;
        }
        var ordered = points.OrderBy(p => p).ToList();
        var gradients = torch.autograd.grad([metricSum], ordered.Select(p => recorded[p]).ToList(), allow_unused: true);
        metricSum.Dispose();
        foreach (var t in recorded.Values) t.Dispose();
        return ordered.Zip(gradients).ToDictionary(x => x.First, x => x.Second);
    }

    /// <summary>The base activation a of a component kind at a layer (component space).</summary>
    public Tensor BaseActivation(ComponentLayout layout, int layer) => layout.Activation(BaseCache, Model.Weights, layer);

    /// <summary>The other activation a' (component space).</summary>
    public Tensor OtherActivation(ComponentLayout layout, int layer) => layout.Activation(OtherCache, Model.Weights, layer);

    /// <summary>What AP patches in and where IG's path ends: a', or a + s(a' − a) at a similarity-sweep scale s.</summary>
    public Tensor PatchedIn(ComponentLayout layout, int layer, double? scale)
    {
        var other = OtherActivation(layout, layer);
        if (scale is not double s) return other;
        var a = BaseActivation(layout, layer);
        return a + s * (other - a);
    }

    /// <summary>
    /// F for a stack of activations [repeats·batch, ...] in component space: the base run with the
    /// hook set to each, starting at the hook (run-from-hook), logits only at the last real tokens.
    /// </summary>
    /// <param name="prefixUnchanged">The activations equal the base run's before <see cref="PrefixLength"/>
    /// (AP's patches, aligned IG's path, the sweep): then only the later positions are computed.</param>
    public Tensor MetricFrom(ComponentLayout layout, int layer, Tensor activations, int repeats, bool prefixUnchanged = false)
    {
        using var scope = NewDisposeScope();
        return MetricFrom(layout.Hook(layer), layout.ToHookValue(activations, Model.Weights, layer), repeats, prefixUnchanged).MoveToOuterDisposeScope();
    }

    /// <summary>F for a stack of values [repeats·batch, ...] of one hook point: the base run with the hook set to each, from the hook on.</summary>
    public Tensor MetricFrom(HookPoint hook, Tensor value, int repeats, bool prefixUnchanged = false)
    {
        Cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        var prompts = PromptMetrics.Repeated(Batch, repeats, BaseTokens.Tokens.device);
        var positions = BaseTokens.LastPositions.repeat(repeats);
        int p = PrefixLength;
        Tensor logits;
        if (prefixUnchanged && Options.ReusePrefix && Options.FixedHooks is null && p > 0)
        {
            using var upstream = new ActivationCache();
            foreach (var need in hook.UpstreamNeeds)
                upstream.Store(need, BaseCache[need][.., p..].RepeatAlongBatch(repeats));
            var prefix = new SharedPrefix(p, l => (BaseCache[HookPoint.K(l)][.., ..p].RepeatAlongBatch(repeats), BaseCache[HookPoint.V(l)][.., ..p].RepeatAlongBatch(repeats)));
            logits = Model.RunFrom(hook, value[.., p..], upstream, readPositions: positions - p, prefix: prefix);
        }
        else
        {
            using var upstream = repeats == 1 ? null : BaseCache.RepeatBatch(hook.UpstreamNeeds, repeats);
            logits = Model.RunFrom(hook, value, upstream ?? BaseCache, Options.FixedHooks, readPositions: positions);
        }
        RunsCounted++;
        return Metric.Evaluate(logits, prompts).MoveToOuterDisposeScope();
    }


    /// <summary>
    /// The first cached activation (in hook order, base run first) that holds NaN or ±∞, and the
    /// first prompt where it does; null when all are finite. Names where a broken model goes wrong.
    /// </summary>
    public (HookPoint Hook, string Run, int Prompt)? FirstNonFinite()
    {
        foreach (var (cache, run) in new[] { (BaseCache, "base"), (OtherCache, "other") })
            if (NonFiniteActivations.FirstIn(cache) is var (point, prompt)) return (point, run, prompt);
        return null;
    }

    /// <summary>How many stacked rows of a run starting at <paramref name="layer"/> fit the memory budget.</summary>
    public int RowsPerChunk(int layer, bool withGradients) =>
        (int)Math.Clamp(Options.MemoryBudgetBytes / Math.Max(1, BytesPerRow(Model.Config, Model.DType, BaseTokens.Width, layer, withGradients)), 1, int.MaxValue);

    /// <summary>Estimated activation bytes of one stacked row of a run that starts at <paramref name="layer"/>.</summary>
    public static long BytesPerRow(Gpt2Config c, ScalarType dtype, long positions, int layer, bool withGradients)
    {
        // Activations one block keeps per row (q, k, v, z, pattern, MLP pre/post, residuals), in bytes.
        long perBlock = positions * (10L * c.NEmbd + 2L * c.DMlp + 2L * c.NHead * positions) * dtype.ElementSize();
        // Forward passes free each block's intermediates; a backward pass keeps every block's.
        return withGradients ? perBlock * (c.NLayer - layer) * 2 : perBlock * 2;
    }

    public void Dispose()
    {
        if (_baseGraph is var (recorded, metricSum))
        {
            foreach (var t in recorded.Values) t.Dispose();
            metricSum.Dispose();
        }
        BaseCache.Dispose();
        OtherCache.Dispose();
        BaseMetric.Dispose();
        OtherMetric.Dispose();
    }
}

internal static class ScalarTypeSizes
{
    public static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        _ => 4,
    };
}
