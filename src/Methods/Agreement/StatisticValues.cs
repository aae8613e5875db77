namespace Concord.Methods.Agreement;

/// <summary>Every agreement statistic of a catalogue, of two score vectors.</summary>
public sealed record StatisticValues(IReadOnlyDictionary<AgreementStatistic, StatisticValue> Values)
{
    public StatisticValue this[AgreementStatistic statistic] => Values[statistic];

    public StatisticValue Pearson => this[AgreementStatistic.Pearson];
    public StatisticValue Spearman => this[AgreementStatistic.Spearman];
    public StatisticValue Kendall => this[AgreementStatistic.Kendall];
    public StatisticValue Jaccard => this[AgreementStatistic.Jaccard];
    public StatisticValue SignAgreement => this[AgreementStatistic.Sign];

    /// <summary>Every statistic of <paramref name="statistics"/> (the built-in ones when null) of (x, y).</summary>
    public static StatisticValues Of(IReadOnlyList<double> x, IReadOnlyList<double> y, double topFraction = TopK.DefaultFraction, StatisticCatalogue? statistics = null) =>
        new((statistics ?? StatisticCatalogue.BuiltIn).ToDictionary(s => s, s => s.Compute(x, y, topFraction)));
}
