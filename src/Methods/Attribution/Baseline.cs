namespace Concord.Methods.Attribution;

/// <summary>
/// Where IG's path starts. Aligned: at a (the base activation), ending at a' — the baseline AP
/// patches against. Zero: at 0 (a ↦ 0), ending at a' — the conventional baseline that motivates the study.
/// </summary>
public enum Baseline { Aligned, Zero }

public static class Baselines
{
    /// <summary>The stable identifier: the command-line spelling and the text in unit keys. Never change one.</summary>
    public static string Id(this Baseline baseline) => baseline switch
    {
        Baseline.Aligned => "aligned",
        Baseline.Zero => "zero",
        _ => throw new ArgumentOutOfRangeException(nameof(baseline)),
    };

    public static Baseline Parse(string text) => StableIds.Parse<Baseline>(text, Id, "baseline");
}
