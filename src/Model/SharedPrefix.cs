using static TorchSharp.torch;

namespace Concord.Model;

/// <summary>
/// The first <see cref="Length"/> positions of a run from a hook, known to equal those of a cached
/// run (causal attention: clean and corrupted prompts agree up to their first differing token, and
/// so do every patched run and every IG path point there). <see cref="KeysValues"/> gives that
/// run's keys and values of those positions at a layer, [batch, Length, heads, d_head] each.
/// </summary>
public sealed record SharedPrefix(int Length, Func<int, (Tensor Keys, Tensor Values)> KeysValues)
{
    /// <summary>
    /// One prompt's shareable prefix: the positions before its first token where the two token
    /// sequences differ, capped at its last real token (index <paramref name="length"/> − 1), which a
    /// metric reads and so is always recomputed.
    /// </summary>
    public static int LengthOf(ReadOnlySpan<long> tokens, ReadOnlySpan<long> other, int length)
    {
        int first = 0, last = length - 1;
        while (first < last && first < other.Length && tokens[first] == other[first]) first++;
        return first;
    }
}
