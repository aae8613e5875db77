namespace Concord.Methods.Agreement;

/// <summary>Every registered agreement statistic of two score vectors.</summary>
public sealed record AgreementStats(IReadOnlyDictionary<AgreementStatistic, Statistic> Values)
{
    public Statistic this[AgreementStatistic statistic] => Values[statistic];

    public Statistic Pearson => this[AgreementStatistic.Pearson];
    public Statistic Spearman => this[AgreementStatistic.Spearman];
    public Statistic Kendall => this[AgreementStatistic.Kendall];
    public Statistic Jaccard => this[AgreementStatistic.Jaccard];
    public Statistic SignAgreement => this[AgreementStatistic.Sign];

    public static AgreementStats Of(IReadOnlyList<double> x, IReadOnlyList<double> y, double topFraction = TopK.DefaultFraction) =>
        new(AgreementStatistic.All.ToDictionary(s => s, s => s.Compute(x, y, topFraction)));
}
