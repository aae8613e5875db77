using System.Collections;

namespace Concord.Methods.Agreement;

/// <summary>
/// The agreement statistics a study computes, in order (the order of columns and keys). Immutable:
/// <see cref="With"/> returns a new catalogue, so a statistic added for one study (or one test) is
/// computed by that study alone. <see cref="BuiltIn"/> is every study's by default.
/// </summary>
public sealed class StatisticCatalogue : IReadOnlyList<AgreementStatistic>
{
    private readonly IReadOnlyList<AgreementStatistic> _statistics;

    public StatisticCatalogue(IEnumerable<AgreementStatistic> statistics)
    {
        _statistics = statistics.ToArray();
        if (_statistics.GroupBy(s => s.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"a statistic '{twice.Key}' is in the catalogue already", nameof(statistics));
    }

    /// <summary>Pearson r, Spearman ρ, Kendall τ-b, top-k Jaccard and sign agreement, in that order.</summary>
    public static StatisticCatalogue BuiltIn { get; } = new([AgreementStatistic.Pearson, AgreementStatistic.Spearman, AgreementStatistic.Kendall,
        AgreementStatistic.Jaccard, AgreementStatistic.Sign]);

    /// <summary>This catalogue and <paramref name="statistic"/> after its statistics; its id must be new here.</summary>
    public StatisticCatalogue With(AgreementStatistic statistic) => new([.. _statistics, statistic]);

    /// <summary>The statistics the summary tables show.</summary>
    public IReadOnlyList<AgreementStatistic> InSummary => _statistics.Where(s => s.InSummary).ToList();

    public int Count => _statistics.Count;
    public AgreementStatistic this[int index] => _statistics[index];
    public IEnumerator<AgreementStatistic> GetEnumerator() => _statistics.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
