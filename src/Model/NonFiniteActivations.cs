using static TorchSharp.torch;

namespace Concord.Model;

/// <summary>Where a broken model first goes wrong: the earliest hook whose activation holds NaN or ±∞.</summary>
public static class NonFiniteActivations
{
    /// <summary>Runs <paramref name="tokens"/> [batch, pos] caching every hook; the first non-finite hook in forward order, or null.</summary>
    public static HookPoint? FirstHook(HookedGpt2 model, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        using var cache = new ActivationCache();
        using var noGrad = no_grad();
        model.Run(tokens, cache: cache);
        foreach (var point in cache.Points)
            if (!isfinite(cache[point]).all().item<bool>()) return point;
        return null;
    }
}
