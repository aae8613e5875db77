using Concord.Model;
using Concord.Tasks;

namespace Concord.Methods.Pipeline;

/// <summary>
/// Orders a task's examples so that each batch holds prompts with similar shared prefixes and lengths.
/// A run from a hook recomputes a batch from its smallest shared prefix to its widest prompt, so one
/// early-differing prompt makes a whole batch pay. Measured on the default samples of the committed
/// datasets (64 prompts, batches of 8), positions recomputed per run: IOI 688 → 440, capital–country
/// 544 → 424, SVA 336 → 256, gender 256 → 216, hypernymy 272 → 232, greater-than 320 → 320.
/// </summary>
public static class PrefixGrouping
{
    /// <summary>A stable order by (shared prefix length, clean length): ties keep the sample's order.</summary>
    public static IReadOnlyList<TaskExample> Order(IReadOnlyList<TaskExample> examples, Gpt2Tokenizer tokenizer) =>
        examples.Select(e => (Example: e, Key: Key(e, tokenizer)))
            .OrderBy(x => x.Key.Prefix).ThenBy(x => x.Key.Length)
            .Select(x => x.Example).ToList();

    private static (int Prefix, int Length) Key(TaskExample example, Gpt2Tokenizer tokenizer)
    {
        var clean = Array.ConvertAll(tokenizer.Encode(example.Clean), id => (long)id);
        var corrupted = Array.ConvertAll(tokenizer.Encode(example.Corrupted), id => (long)id);
        return (SharedPrefix.LengthOf(clean, corrupted, clean.Length), clean.Length);
    }
}
