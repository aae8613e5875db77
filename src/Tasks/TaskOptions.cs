namespace Concord.Tasks;

public enum IoiCorruption
{
    /// <summary>Second subject replaced by a third name (column <c>corrupted</c>).</summary>
    ThirdName,
    /// <summary>Second subject replaced by the indirect object (column <c>corrupted_hard</c>), as the original notebook did.</summary>
    IndirectObject,
}

public static class IoiCorruptions
{
    /// <summary>The stable identifier: the command-line spelling and the text in fingerprints. Never change one.</summary>
    public static string Id(this IoiCorruption corruption) => corruption switch
    {
        IoiCorruption.ThirdName => "third-name",
        IoiCorruption.IndirectObject => "io",
        _ => throw new ArgumentOutOfRangeException(nameof(corruption)),
    };

    /// <summary>By id; "hard" (the notebook's column corrupted_hard) also names the IO corruption.</summary>
    public static IoiCorruption Parse(string text)
    {
        var wanted = text.Trim().ToLowerInvariant();
        if (wanted == "hard") return IoiCorruption.IndirectObject;
        foreach (var corruption in Enum.GetValues<IoiCorruption>())
            if (corruption.Id() == wanted) return corruption;
        throw new ArgumentException($"unknown IOI corruption '{text.Trim()}' (io, third-name)");
    }
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

    /// <summary>The options that change how rows are read, by stable text (part of the data's fingerprint).</summary>
    public string Id() => $"ioi={IoiCorruption.Id()};logit-variant={(LogitVariant ? "yes" : "no")};drop-invalid={(DropInvalid ? "yes" : "no")};context={MaxTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
}
