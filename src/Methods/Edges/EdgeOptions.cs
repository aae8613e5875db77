using System.Globalization;

namespace Concord.Methods.Edges;

/// <summary>What an edge pass computes: which edge methods, what an edge is moved to, and the methods' own settings.</summary>
public sealed record EdgeOptions
{
    /// <summary>Every edge method by its stable id, in the order tables list them; AP (exact edge patching) is the reference.</summary>
    public static IReadOnlyList<string> AllMethods { get; } = [ExactEdgePatching.Id, EdgeIntegratedGradients.Id, EdgeAttributionPatching.Id, EapIg.Id];

    public IReadOnlyList<string> Methods { get; init; } = AllMethods;
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
    public string Fingerprint(string method) => method switch
    {
        EapIg.Id => $"steps={EapIgSteps}",
        EdgeIntegratedGradients.Id => FormattableString.Invariant($"tau={IgTolerance:R}|cap={IgCap}"),
        _ => "",
    } + $"|ablation={Ablation.ToString().ToLowerInvariant()}";

    public string Id() => string.Join(";", Methods.Select(m => $"{m}:{Fingerprint(m)}"))
        + (Faithfulness ? FormattableString.Invariant($";faithfulness:random={RandomRankings}") : "");

    /// <summary>The edge methods among a list of method ids, and the node methods.</summary>
    public static (IReadOnlyList<string> Edge, IReadOnlyList<string> Node) Split(IEnumerable<string> ids)
    {
        var list = ids.Select(i => i.Trim().ToLowerInvariant()).ToList();
        return (list.Where(AllMethods.Contains).Distinct().ToArray(), list.Where(i => !AllMethods.Contains(i)).ToArray());
    }

    public static EdgeAblation ParseAblation(string text) => text.Trim().ToLowerInvariant() switch
    {
        "resample" => EdgeAblation.Resample,
        "mean" => EdgeAblation.Mean,
        "zero" => EdgeAblation.Zero,
        _ => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"unknown ablation '{text.Trim()}' (resample, mean, zero)")),
    };
}
