
namespace Concord.Methods.Agreement;

/// <summary>The five agreement statistics of two score vectors.</summary>
public sealed record AgreementStats(Statistic Pearson, Statistic Spearman, Statistic Kendall, Statistic Jaccard, Statistic SignAgreement)
{
    public static AgreementStats Of(IReadOnlyList<double> x, IReadOnlyList<double> y, double topFraction = TopK.DefaultFraction) => new(
        Correlation.Pearson(x, y), Correlation.Spearman(x, y), Correlation.KendallTauB(x, y),
        TopK.Jaccard(x, y, topFraction), TopK.SignAgreement(x, y, topFraction));
}
