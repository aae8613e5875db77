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
        return FirstIn(cache)?.Hook;
    }

    /// <summary>The first cached point (in forward order) holding NaN or ±∞, and the first prompt (batch row) where it does.</summary>
    public static (HookPoint Hook, int Prompt)? FirstIn(ActivationCache cache)
    {
        foreach (var point in cache.Points)
        {
            using var scope = NewDisposeScope();
            var finite = isfinite(cache[point]).flatten(1).all(1);
            if (finite.all().item<bool>()) continue;
            return (point, (int)(~finite).nonzero()[0, 0].item<long>());
        }
        return null;
    }
}
