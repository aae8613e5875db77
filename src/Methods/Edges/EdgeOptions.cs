using System.Globalization;

namespace Concord.Methods.Edges;

/// <summary>What an edge pass computes: which edge methods, what an edge is moved to, and the methods' own settings.</summary>
public sealed record EdgeOptions
{
    /// <summary>The edge methods the pass knows: their order orders units, tables and files; their reference is what the others are compared with.</summary>
    public EdgeMethodCatalogue Catalogue { get; init; } = EdgeMethodCatalogue.BuiltIn;

    /// <summary>The methods computed, each of <see cref="Catalogue"/>; every one of it by default.</summary>
    public IReadOnlyList<EdgeMethod> Methods
    {
        get => _methods ?? Catalogue;
        init => _methods = value;
    }

    private readonly IReadOnlyList<EdgeMethod>? _methods;
    public EdgeAblation Ablation { get; init; } = EdgeAblation.Resample;
    /// <summary>m of EAP-IG's left Riemann sum (MIB's 5).</summary>
    public int EapIgSteps { get; init; } = EapIg.DefaultSteps;
    /// <summary>τ of edge IG's completeness (the study's IG τ).</summary>
    public double IgTolerance { get; init; } = 1e-3;
    /// <summary>Edge IG's cap on gradient evaluations per batch.</summary>
    public int IgCap { get; init; } = 512;
    /// <summary>MIB's circuit faithfulness at edges after the scores (computed by a one-process run or a merge, never by a shard: its circuits need every batch's scores).</summary>
    public bool Faithfulness { get; init; } = true;
    /// <summary>Seeded random rankings of the control.</summary>
    public int RandomRankings { get; init; } = EdgeFaithfulness.DefaultRandomRankings;
    /// <summary>The circuit size (% of edges) drawn and exported as EAP-IG graph JSON and DOT.</summary>
    public double CircuitPercent { get; init; } = 5;

    /// <summary>A method's settings that change its numbers, for its unit's key.</summary>
    public string Fingerprint(EdgeMethod method) => method.Fingerprint(this) + $"|ablation={Ablation.ToString().ToLowerInvariant()}";

    public string Id() => string.Join(";", Methods.Select(m => $"{m}:{Fingerprint(m)}"))
        + (Faithfulness ? FormattableString.Invariant($";faithfulness:random={RandomRankings}") : "");

    public static EdgeAblation ParseAblation(string text) => text.Trim().ToLowerInvariant() switch
    {
        "resample" => EdgeAblation.Resample,
        "mean" => EdgeAblation.Mean,
        "zero" => EdgeAblation.Zero,
        _ => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"unknown ablation '{text.Trim()}' (resample, mean, zero)")),
    };
}
