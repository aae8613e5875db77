using Concord.Model;
using static TorchSharp.torch;

namespace Concord.Tasks.Training;

/// <summary>
/// Head dropout for training: each attention head's output (its slice of hook_z, so also its
/// contribution through W_O) is dropped with probability p per sample and step and the kept heads
/// are scaled by 1/(1 − p), so the expected output is unchanged and evaluation needs no rescaling.
/// A model that cannot rely on any one head learns redundant ones — the OR structure (backup heads)
/// the AND/OR analysis looks for. The masks are drawn from (seed, step), so a resumed run drops the
/// same heads as an uninterrupted one.
/// </summary>
public static class HeadDropout
{
    /// <summary>Hooks that mask heads for one step; null when p is 0 (no hook, the plain forward pass).</summary>
    public static HookSet? Hooks(Gpt2Config config, int batch, double p, int seed, int step)
    {
        if (p <= 0) return null;
        // Not HashCode.Combine: it is randomised per process, and a resumed run must draw the same masks.
        var random = new Random(unchecked(seed * 1_000_003 + step * 7_919 + 0x4D5A));
        var hooks = new HookSet();
        for (int l = 0; l < config.NLayer; l++)
        {
            var keep = new float[batch * config.NHead];
            for (int i = 0; i < keep.Length; i++) keep[i] = random.NextDouble() < p ? 0f : (float)(1 / (1 - p));
            var mask = keep;
            hooks.Add(HookPoint.Z(l), (z, _) => z * tensor(mask, [batch, 1, config.NHead, 1]).to(z.dtype).to(z.device));
        }
        return hooks;
    }
}
