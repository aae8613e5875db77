namespace Concord.Methods.Attribution;

/// <summary>Which attribution methods a run computes.</summary>
public enum Method { Ig, Ap, Atp }

public static class MethodNames
{
    /// <summary>IG, AP, AtP as the literature writes them.</summary>
    public static string DisplayName(this Method m) => m switch { Method.Ig => "IG", Method.Ap => "AP", Method.Atp => "AtP", _ => throw new ArgumentOutOfRangeException(nameof(m)) };

    /// <summary>The stable identifier: the command-line spelling, and the name in file names, unit keys, CSV and JSON outputs. Never change one: resumed runs and pinned snapshots depend on it.</summary>
    public static string Id(this Method m) => m switch { Method.Ig => "ig", Method.Ap => "ap", Method.Atp => "atp", _ => throw new ArgumentOutOfRangeException(nameof(m)) };

    public static IReadOnlyList<Method> ParseList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.ToLowerInvariant() switch
        {
            "ig" => Method.Ig,
            "ap" => Method.Ap,
            "atp" => Method.Atp,
            var other => throw new ArgumentException($"unknown method '{other}' (ig, ap, atp)"),
        }).Distinct().ToArray();
}
