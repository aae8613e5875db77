namespace Concord.Tasks;

public enum IoiCorruption
{
    /// <summary>Second subject replaced by a third name (column <c>corrupted</c>).</summary>
    ThirdName,
    /// <summary>Second subject replaced by the indirect object (column <c>corrupted_hard</c>), as the original notebook did.</summary>
    IndirectObject,
}

public sealed record TaskOptions
{
    public IoiCorruption IoiCorruption { get; init; } = IoiCorruption.IndirectObject;
    /// <summary>Use the logit-difference variant of the probability tasks (greater-than, SVA, hypernymy).</summary>
    public bool LogitVariant { get; init; }
    /// <summary>Skip rows whose clean and corrupted prompts differ in token length (counted), instead of failing.</summary>
    public bool DropInvalid { get; init; }

    /// <summary>The model's context: a longer prompt is an error naming its row (dropped with <see cref="DropInvalid"/>); no limit when null.</summary>
    public int? MaxTokens { get; init; }

    public static TaskOptions Default { get; } = new();
}
