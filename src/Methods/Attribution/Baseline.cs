namespace Concord.Methods.Attribution;

/// <summary>
/// Where IG's path starts. Aligned: at a (the base activation), ending at a' — the baseline AP
/// patches against. Zero: at 0 (a ↦ 0), ending at a' — the conventional baseline that motivates the study.
/// </summary>
public enum Baseline { Aligned, Zero }

public static class Baselines
{
    public static Baseline Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "aligned" => Baseline.Aligned,
        "zero" => Baseline.Zero,
        _ => throw new ArgumentException($"unknown baseline '{text}' (aligned, zero)"),
    };
}
