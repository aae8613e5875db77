using static TorchSharp.torch;

namespace Concord.Model;

/// <summary>
/// The first <see cref="Length"/> positions of a run from a hook, known to equal those of a cached
/// run (causal attention: clean and corrupted prompts agree up to their first differing token, and
/// so do every patched run and every IG path point there). <see cref="KeysValues"/> gives that
/// run's keys and values of those positions at a layer, [batch, Length, heads, d_head] each.
/// </summary>
public sealed record SharedPrefix(int Length, Func<int, (Tensor Keys, Tensor Values)> KeysValues);
