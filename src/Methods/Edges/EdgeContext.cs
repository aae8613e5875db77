using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Model.Edges;
using Concord.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>What an edge outside the kept set carries instead of its sender's output.</summary>
public enum EdgeAblation
{
    /// <summary>The other run's output (corrupted when noising): exact patching.</summary>
    Resample,
    /// <summary>The sender's mean over every real position of the sample's clean prompts.</summary>
    Mean,
    /// <summary>Zero.</summary>
    Zero,
}

/// <summary>
/// The cached runs the edge methods start from: the node context's base and other runs (which
/// fix direction, prefix and memory budget), every sender's output z_u in the base run, and z̃_u,
/// what an edge's sender is moved to (the other run's outputs, their means, or 0).
/// </summary>
public sealed class EdgeContext : IDisposable
{
    public AttributionContext Runs { get; }
    public EdgeGraph Graph { get; }
    public EdgeAblation Ablation { get; }
    /// <summary>z_u(base) [batch, pos, S, d_model].</summary>
    public Tensor BaseSenders { get; }
    /// <summary>z̃_u [batch, pos, S, d_model], or [1, 1, S, d_model] for a mean or zero.</summary>
    public Tensor OtherSenders { get; }

    public HookedGpt2 Model => Runs.Model;
    public int Batch => Runs.Batch;

    private double[]? _endMetric;

    private EdgeContext(AttributionContext runs, EdgeAblation ablation, Tensor baseSenders, Tensor otherSenders)
    {
        Runs = runs;
        Graph = EdgeGraph.Of(runs.Model.Config);
        Ablation = ablation;
        BaseSenders = baseSenders;
        OtherSenders = otherSenders;
    }

    /// <summary>The hook points an edge context caches beyond those of heads and MLP layers: the input sender, the queries (exact patching of k and v inputs keeps them) and the last residual stream (the logits' input).</summary>
    public static IEnumerable<HookPoint> ExtraHooks(Gpt2Config config) =>
        Enumerable.Range(0, config.NLayer).Select(HookPoint.Q).Append(HookPoint.Embed).Append(HookPoint.ResidPost(config.NLayer - 1));

    /// <param name="means">z̃ for <see cref="EdgeAblation.Mean"/>: every sender's mean [S, d_model] (<see cref="SenderMeans"/>).</param>
    public static EdgeContext Create(HookedGpt2 model, TokenBatch clean, TokenBatch corrupted, IPromptMetric metric,
        AttributionOptions? options = null, EdgeAblation ablation = EdgeAblation.Resample, Tensor? means = null)
    {
        if (ablation == EdgeAblation.Mean && means is null) throw new ArgumentException("mean ablation of edges needs the senders' means", nameof(means));
        var runs = AttributionContext.Create(model, clean, corrupted, metric, [TargetSpace.Head, TargetSpace.Mlp], options, alsoCache: ExtraHooks(model.Config));
        var baseSenders = EdgeRun.SenderOutputs(model, runs.BaseCache).DetachFromDisposeScope();
        var other = ablation switch
        {
            EdgeAblation.Resample => EdgeRun.SenderOutputs(model, runs.OtherCache),
            EdgeAblation.Mean => means!.to(model.DType, model.Device).view(1, 1, means.shape[0], means.shape[1]),
            _ => zeros(1, 1, baseSenders.shape[2], baseSenders.shape[3], dtype: model.DType, device: model.Device),
        };
        return new EdgeContext(runs, ablation, baseSenders, other.DetachFromDisposeScope());
    }

    /// <summary>Every sender's mean output [S, d_model] over every real position of the given prompts (mean ablation's z̃).</summary>
    public static Tensor SenderMeans(HookedGpt2 model, IEnumerable<TokenBatch> batches)
    {
        Tensor? sum = null;
        long positions = 0;
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            using var cache = new ActivationCache(EdgeRun.SenderHooks(model.Config.NLayer).ToHashSet().Contains);
            model.Run(batch.Tokens, cache: cache, readPositions: batch.LastPositions).Dispose();
            var real = (arange(batch.Width, device: model.Device).unsqueeze(0) < tensor(batch.Lengths.Select(n => (long)n).ToArray(), device: model.Device).unsqueeze(1))
                .to_type(model.DType).view(batch.Count, batch.Width, 1, 1);
            var summed = (EdgeRun.SenderOutputs(model, cache) * real).sum([0, 1]);
            var total = (sum is null ? summed : sum + summed).DetachFromDisposeScope();
            sum?.Dispose();
            sum = total;
            positions += batch.Lengths.Sum();
        }
        if (sum is null || positions == 0) throw new ArgumentException("sender means need at least one prompt with a real token", nameof(batches));
        var mean = sum / positions;
        sum.Dispose();
        return mean;
    }

    /// <summary>Δ_u = z̃_u − z_u(base) [batch, pos, S, d_model]: what moving an edge's sender adds to its receiver.</summary>
    public Tensor BaseDeltas() => OtherSenders.expand_as(BaseSenders) - BaseSenders;

    /// <summary>z̃ for <paramref name="repeats"/> stacked copies of the batch.</summary>
    public Tensor OtherRepeated(int repeats) => OtherSenders.shape[0] == 1 ? OtherSenders : OtherSenders.RepeatAlongBatch(repeats);

    /// <summary>F(θ = 0) per prompt: the base run.</summary>
    public double[] BaseMetric => Runs.BaseMetric.ToDoubles();

    /// <summary>F(θ = 1 everywhere) per prompt: the other run under resampling (exactly its metric), else one edge run.</summary>
    public double[] EndMetric => _endMetric ??= Ablation == EdgeAblation.Resample
        ? Runs.OtherMetric.ToDoubles()
        : Metric(new EdgeMask.Uniform(ones(Batch, dtype: Model.DType, device: Model.Device)), 1);

    /// <summary>F per row of an edge run of <paramref name="repeats"/> stacked copies of the base batch under <paramref name="mask"/>.</summary>
    public double[] Metric(EdgeMask mask, int repeats)
    {
        Runs.Cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        var tokens = Runs.BaseTokens.Tokens.RepeatAlongBatch(repeats);
        var positions = Runs.BaseTokens.LastPositions.repeat(repeats);
        using var run = EdgeRun.Run(Model, tokens, positions, OtherRepeated(repeats), mask);
        Runs.RunsCounted++;
        return Runs.Metric.Evaluate(run.Logits, PromptMetrics.Repeated(Batch, repeats, Model.Device)).ToDoubles();
    }

    /// <summary>
    /// Stacked rows of a recorded uniform-θ edge run (one that keeps what a backward pass to every
    /// receiver needs) that fit the memory budget. Per layer, position and row, in residual-sized
    /// vectors: the layer's shared input, its normalised copy, q, k, v, z and the MLP's input and
    /// normalised input, then 3H + 1 receiver gradients after the backward pass (and one layer's
    /// layer-norm pull-back, 9H, at a time); the MLP's hidden activations and the attention pattern;
    /// and, when the run computes Δ, 2S more (Δ and its copy).
    /// </summary>
    /// <param name="withDeltas">The run computes every sender's Δ (θ ≠ 0 somewhere, or Δ kept).</param>
    public int RecordedRowsPerChunk(bool withDeltas = true)
    {
        var c = Model.Config;
        long element = Model.DType == ScalarType.Float64 ? 8 : 4, positions = Runs.BaseTokens.Width;
        long perLayer = (3L * c.NHead + 13) * c.NEmbd + 2L * c.DMlp + 2L * c.NHead * positions;
        long perPosition = c.NLayer * perLayer + 9L * c.NHead * c.NEmbd + (withDeltas ? 2L * Graph.Senders.Count * c.NEmbd : 0);
        return (int)Math.Clamp(Runs.Options.MemoryBudgetBytes / Math.Max(1, positions * element * perPosition), 1, int.MaxValue);
    }

    public void Dispose()
    {
        BaseSenders.Dispose();
        OtherSenders.Dispose();
        Runs.Dispose();
    }
}
