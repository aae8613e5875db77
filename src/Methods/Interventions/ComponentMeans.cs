using Concord.Methods.Targets;
using Concord.Model;
using static TorchSharp.torch;

namespace Concord.Methods.Interventions;

/// <summary>
/// Each component's mean activation over every real token position of a set of prompts (the task
/// sample's clean prompts): what mean ablation puts in. Pads are excluded, and positions are pooled
/// over prompts, so a long prompt weighs by its length — the mean of the activations, not of
/// per-prompt means (the original study's "mean" summed positions and divided by the prompt count).
/// </summary>
public sealed class ComponentMeans : IDisposable
{
    private readonly Tensor[] _layers;

    public TargetSpace Kind { get; }
    /// <summary>Real token positions averaged over.</summary>
    public long Positions { get; }

    private ComponentMeans(TargetSpace kind, Tensor[] layers, long positions) => (Kind, _layers, Positions) = (kind, layers, positions);

    /// <summary>The mean of layer <paramref name="layer"/> in component space, [C, R].</summary>
    public Tensor At(int layer) => _layers[layer];

    /// <summary>Runs the model once over each batch and averages the kind's activation over real positions.</summary>
    public static ComponentMeans Of(HookedGpt2 model, TargetSpace kind, IEnumerable<TokenBatch> batches)
    {
        if (kind == TargetSpace.HeadOutput) throw new ArgumentException("interventions replace heads at hook_z: use the head kind", nameof(kind));
        var layout = new ComponentLayout(kind, model.Config);
        int layers = model.Config.NLayer;
        var sums = new Tensor?[layers];
        long positions = 0;
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            using var cache = new ActivationCache(p => Enumerable.Range(0, layers).Any(l => layout.Hook(l) == p));
            model.Run(batch.Tokens, cache: cache, readPositions: batch.LastPositions).Dispose();
            var real = arange(batch.Width, device: model.Device).unsqueeze(0) < tensor(batch.Lengths.Select(n => (long)n).ToArray(), device: model.Device).unsqueeze(1);
            var weights = real.to_type(model.DType).view(batch.Count, batch.Width, 1, 1);
            for (int l = 0; l < layers; l++)
            {
                var summed = (layout.Grouped(layout.Activation(cache, model.Weights, l)) * weights).sum([0, 1]);
                var total = (sums[l] is { } before ? before + summed : summed).DetachFromDisposeScope();
                sums[l]?.Dispose();
                sums[l] = total;
            }
            positions += batch.Lengths.Sum();
        }
        if (positions == 0) throw new ArgumentException("component means need at least one prompt with a real token", nameof(batches));
        var means = sums.Select(s => { var m = s! / positions; s!.Dispose(); return m; }).ToArray();
        return new ComponentMeans(kind, means, positions);
    }

    public void Dispose()
    {
        foreach (var t in _layers) t.Dispose();
    }
}
