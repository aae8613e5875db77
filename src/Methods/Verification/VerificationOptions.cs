using System.Globalization;
using Concord.Methods.Interventions;

namespace Concord.Methods.Verification;

/// <summary>Which verifications by intervention a study runs after its attribution.</summary>
[Flags]
public enum VerificationAnalysis
{
    None = 0,
    /// <summary>MIB's circuit faithfulness curves (CPR, CMD) of every method's ranking, with a random control.</summary>
    Faithfulness = 1,
    /// <summary>Joint interventions on the components IG and AP rank differently, per prompt.</summary>
    Disagreements = 2,
    /// <summary>Every component's isolated mean-ablation effect (one run per component and prompt) and how well each method predicts it.</summary>
    Isolated = 4,
}

public static class VerificationAnalyses
{
    public static VerificationAnalysis Default => VerificationAnalysis.Faithfulness | VerificationAnalysis.Disagreements;

    private static readonly (VerificationAnalysis Flag, string Id)[] Ids =
        [(VerificationAnalysis.Faithfulness, "faithfulness"), (VerificationAnalysis.Disagreements, "disagreements"), (VerificationAnalysis.Isolated, "isolated")];

    /// <summary>The stable text: "faithfulness,disagreements", or "none".</summary>
    public static string Id(this VerificationAnalysis analyses) =>
        analyses == VerificationAnalysis.None ? "none" : string.Join(",", Ids.Where(x => analyses.HasFlag(x.Flag)).Select(x => x.Id));

    /// <summary>Reads "faithfulness,disagreements[,isolated]" or "none".</summary>
    public static VerificationAnalysis Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Equals("none", StringComparison.OrdinalIgnoreCase)))
            return parts.Length == 1 ? VerificationAnalysis.None : throw new ArgumentException($"'{text.Trim()}': none stands alone (it turns the verification off)");
        var result = VerificationAnalysis.None;
        foreach (var part in parts)
        {
            var match = Ids.FirstOrDefault(x => x.Id.Equals(part, StringComparison.OrdinalIgnoreCase));
            if (match.Id is null) throw new ArgumentException($"unknown verification '{part}' ({string.Join(", ", Ids.Select(x => x.Id))}, or none alone)");
            result |= match.Flag;
        }
        return result;
    }
}

/// <summary>What the verification computes; <see cref="Id"/> is part of every verification unit's key.</summary>
public sealed record VerificationOptions
{
    public VerificationAnalysis Analyses { get; init; } = VerificationAnalyses.Default;
    /// <summary>What the components outside a faithfulness circuit are replaced by.</summary>
    public Ablation Ablation { get; init; } = Ablation.Resample;
    /// <summary>Circuit sizes k as fractions of the kind's components (MIB's node-level grid).</summary>
    public IReadOnlyList<double> CircuitFractions { get; init; } = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];
    /// <summary>Seeded random rankings: the control every method's curve is read against.</summary>
    public int RandomRankings { get; init; } = 10;
    /// <summary>Bootstrap resamples of the prompts behind each CPR's 95 % interval.</summary>
    public int BootstrapSamples { get; init; } = 1000;
    /// <summary>"High" in the disagreement categories: a method's top fraction by |score| within one prompt.</summary>
    public double HighFraction { get; init; } = Agreement.TopK.DefaultFraction;
    public int Seed { get; init; }

    public bool Runs => Analyses != VerificationAnalysis.None;

    /// <param name="withSeed">Leave the seed out where the study's own seed already names it.</param>
    public string Id(bool withSeed = true) => string.Create(CultureInfo.InvariantCulture,
        $"verify={Analyses.Id()}|ablation={Ablation.Id()}|k={string.Join(",", CircuitFractions.Select(f => f.ToString("R", CultureInfo.InvariantCulture)))}|random={RandomRankings}|bootstrap={BootstrapSamples}|high={HighFraction:R}") + (withSeed ? $"|seed={Seed}" : "");
}
