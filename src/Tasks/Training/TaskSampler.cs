using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>
/// Draws endless fresh instances of one task from the project's word lists, on either side of the
/// <see cref="HeldOutSplit"/>: the training side feeds <c>concord model train</c>, the held-out side
/// is what <c>concord model eval</c> measures generalisation on.
/// </summary>
public abstract class TaskSampler
{
    public abstract TaskKind Kind { get; }
    /// <summary>True when the task has a held-out side (IOI, greater-than, SVA); fact tasks are evaluated on their facts.</summary>
    public abstract bool Generalises { get; }
    public abstract TaskSample Sample(Random random, SplitSide side);

    public static TaskSampler For(TaskKind kind, WordLists words, TaskResources resources, HeldOutSplit split, TaskOptions options) => kind switch
    {
        TaskKind.Ioi => new IoiSampler(words, resources.Tokenizer, split, options.IoiCorruption),
        TaskKind.GenderBias => new GenderBiasSampler(words, resources.Tokenizer),
        TaskKind.GreaterThan => new GreaterThanSampler(words, resources, split),
        TaskKind.CapitalCountry => new CapitalCountrySampler(words, resources.Tokenizer),
        TaskKind.Sva => new SvaSampler(words, resources, split),
        TaskKind.Hypernymy => new HypernymySampler(words, resources.Tokenizer),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    protected static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>Draws until <paramref name="accept"/> holds; a split that leaves nothing to draw is a bug in the lists, not a hang.</summary>
    protected static T Until<T>(Func<T> draw, Func<T, bool> accept, string what)
    {
        for (int attempt = 0; attempt < 100_000; attempt++)
        {
            var value = draw();
            if (accept(value)) return value;
        }
        throw new DatasetException($"{what}: no draw in 100,000 attempts fits the split; check the word lists");
    }
}
