namespace Concord.Methods.Attribution;

/// <summary>
/// Noising: the clean run is the base, corrupted values are patched in (the default).
/// Denoising: the corrupted run is the base, clean values are patched in. In both, a is the base
/// activation, a' the other one, Δ = a' − a, and F is the base run's metric as a function of the hook.
/// </summary>
public enum Direction { Noising, Denoising }

/// <summary>
/// Where IG's path starts. Aligned: at a (the base activation), ending at a' — the baseline AP
/// patches against. Zero: at 0 (a ↦ 0), ending at a' — the conventional baseline that motivates the study.
/// </summary>
public enum Baseline { Aligned, Zero }

/// <summary>Which attribution methods a run computes.</summary>
public enum Method { Ig, Ap, Atp }

public static class MethodNames
{
    /// <summary>IG, AP, AtP as the literature writes them.</summary>
    public static string DisplayName(this Method m) => m switch { Method.Ig => "IG", Method.Ap => "AP", Method.Atp => "AtP", _ => throw new ArgumentOutOfRangeException(nameof(m)) };

    public static string CliName(this Method m) => m switch { Method.Ig => "ig", Method.Ap => "ap", Method.Atp => "atp", _ => throw new ArgumentOutOfRangeException(nameof(m)) };

    public static IReadOnlyList<Method> ParseList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.ToLowerInvariant() switch
        {
            "ig" => Method.Ig,
            "ap" => Method.Ap,
            "atp" => Method.Atp,
            var other => throw new ArgumentException($"unknown method '{other}' (ig, ap, atp)"),
        }).Distinct().ToArray();

    public static Direction ParseDirection(string text) => text.Trim().ToLowerInvariant() switch
    {
        "noising" => Direction.Noising,
        "denoising" => Direction.Denoising,
        _ => throw new ArgumentException($"unknown direction '{text}' (noising, denoising)"),
    };

    public static Baseline ParseBaseline(string text) => text.Trim().ToLowerInvariant() switch
    {
        "aligned" => Baseline.Aligned,
        "zero" => Baseline.Zero,
        _ => throw new ArgumentException($"unknown baseline '{text}' (aligned, zero)"),
    };
}
