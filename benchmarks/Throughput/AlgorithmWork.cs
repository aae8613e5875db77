using Concord.Methods.Attribution;
using Concord.Model;
using static TorchSharp.torch;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// The matrix products each benchmarked algorithm performs, stacked and chunked as the methods do
/// it (chunk sizes from <see cref="AttributionContext.BytesPerRow"/> and the default memory
/// budget, so the product shapes are the real ones; the FLOPs do not depend on chunking).
/// b prompts of width P tokens, p the shared prefix (prefix reuse), L layers, H heads.
/// </summary>
public sealed record AlgorithmWork(Gpt2Config Config, int Prompts, int Width, int Prefix, ScalarType DType)
{
    private long Budget => AttributionOptions.Default.MemoryBudgetBytes;

    /// <summary>Positions a run from a hook computes, and the cached positions before them.</summary>
    private (long Computed, long Cached) Positions(bool reusePrefix) =>
        reusePrefix && Prefix > 0 ? (Width - Prefix, Prefix) : (Width, 0);

    /// <summary>Patches (or nodes) per stacked chunk at a layer, as the methods chunk them.</summary>
    private int Chunk(int layer, bool withGradients) =>
        Math.Max(1, (int)Math.Clamp(Budget / Math.Max(1, AttributionContext.BytesPerRow(Config, DType, Width, layer, withGradients)), 1, int.MaxValue) / Prompts);

    /// <summary>
    /// AP over every head: per layer, H patches × b prompts stacked, each run from hook_z:
    /// Σ_l runFromHook(z, l, H·b rows, P − p positions, p cached). F(a) is the base run's (no run).
    /// </summary>
    public List<MatrixProduct> ActivationPatchingHeads(bool reusePrefix = true) =>
        PatchLayers(HookKind.Z, Enumerable.Range(0, Config.NLayer), Config.NHead, reusePrefix);

    /// <summary>AP over <paramref name="neurons"/> neurons of one layer, run from mlp.hook_post.</summary>
    public List<MatrixProduct> ActivationPatchingNeurons(int layer, int neurons) =>
        PatchLayers(HookKind.MlpPost, [layer], neurons, reusePrefix: true);

    private List<MatrixProduct> PatchLayers(HookKind start, IEnumerable<int> layers, int patches, bool reusePrefix)
    {
        var (computed, cached) = Positions(reusePrefix);
        var products = new List<MatrixProduct>();
        foreach (int l in layers)
        {
            int chunk = Chunk(l, withGradients: false);
            for (int first = 0; first < patches; first += chunk)
                products.AddRange(Gpt2Products.RunFromHook(Config, start, l, (long)Math.Min(chunk, patches - first) * Prompts, computed, cached));
        }
        return products;
    }

    /// <summary>
    /// The notebook's AP: per layer 1 + patches full runs of b rows with logits at every position
    /// (F(a) from its own full run): L·(1 + H)·fullRun(b, P).
    /// </summary>
    public List<MatrixProduct> NaiveActivationPatching(IEnumerable<int> layers, int patches) =>
        layers.SelectMany(_ => Enumerable.Range(0, 1 + patches)).SelectMany(_ => Gpt2Products.FullRun(Config, Prompts, Width, lastTokenOnly: false)).ToList();

    /// <summary>
    /// IG over heads with <paramref name="nodes"/> fixed nodes at the given layers: the nodes stacked
    /// in chunks, each a run from hook_z and its backward pass (input gradients only, ≈ the forward's
    /// products again, attention's twice), then F at both ends of the path (2b rows, forward):
    /// Σ_l [nodes·b rows forward + backward] + [2b rows forward].
    /// </summary>
    public List<MatrixProduct> IntegratedGradientsHeads(IEnumerable<int> layers, int nodes, bool reusePrefix = true)
    {
        var (computed, cached) = Positions(reusePrefix);
        var products = new List<MatrixProduct>();
        foreach (int l in layers)
        {
            int chunk = Chunk(l, withGradients: true);
            for (int first = 0; first < nodes; first += chunk)
            {
                var forward = Gpt2Products.RunFromHook(Config, HookKind.Z, l, (long)Math.Min(chunk, nodes - first) * Prompts, computed, cached);
                products.AddRange(forward);
                products.AddRange(Gpt2Products.Backward(forward));
            }
            products.AddRange(Gpt2Products.RunFromHook(Config, HookKind.Z, l, 2L * Prompts, computed, cached));
        }
        return products;
    }

    /// <summary>
    /// The notebook's IG: per layer and node one full run of b rows (all logits) and a backward pass
    /// to hook_z, then two full runs for F at the ends: Σ_l [nodes·(fullRun + backward) + 2·fullRun].
    /// </summary>
    public List<MatrixProduct> NaiveIntegratedGradientsHeads(int nodes)
    {
        var products = new List<MatrixProduct>();
        for (int l = 0; l < Config.NLayer; l++)
        {
            for (int j = 0; j < nodes; j++)
            {
                products.AddRange(Gpt2Products.FullRun(Config, Prompts, Width, lastTokenOnly: false));
                products.AddRange(Gpt2Products.Backward(Gpt2Products.DownstreamOfFullRun(Config, HookKind.Z, l, Prompts, Width)));
            }
            for (int end = 0; end < 2; end++) products.AddRange(Gpt2Products.FullRun(Config, Prompts, Width, lastTokenOnly: false));
        }
        return products;
    }

    public List<MatrixProduct> Forward(bool lastTokenOnly) => Gpt2Products.FullRun(Config, Prompts, Width, lastTokenOnly);
}
