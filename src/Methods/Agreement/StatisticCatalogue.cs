namespace Concord.Methods.Agreement;

/// <summary>
/// The agreement statistics a study computes, in order (the order of columns and keys). Immutable:
/// <see cref="With"/> returns a new catalogue, so a statistic added for one study (or one test) is
/// computed by that study alone. <see cref="BuiltIn"/> is every study's by default.
/// </summary>
public sealed class StatisticCatalogue(IEnumerable<AgreementStatistic> statistics) : Catalogue<AgreementStatistic>(statistics, s => s.Id, "a statistic")
{

    /// <summary>Pearson r, Spearman ρ, Kendall τ-b, top-k Jaccard and sign agreement, in that order.</summary>
    public static StatisticCatalogue BuiltIn { get; } = new([AgreementStatistic.Pearson, AgreementStatistic.Spearman, AgreementStatistic.Kendall,
        AgreementStatistic.Jaccard, AgreementStatistic.Sign]);

    /// <summary>This catalogue and <paramref name="statistic"/> after its statistics; its id must be new here.</summary>
    public StatisticCatalogue With(AgreementStatistic statistic) => new([.. this, statistic]);

    /// <summary>The statistics the summary tables show.</summary>
    public IReadOnlyList<AgreementStatistic> InSummary => this.Where(s => s.InSummary).ToList();
}
