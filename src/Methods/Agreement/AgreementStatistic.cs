namespace Concord.Methods.Agreement;

/// <summary>
/// One agreement statistic of two score vectors, described once: its id (agreement.json's key),
/// its names (report columns, the snapshot table), and its computation. A
/// <see cref="StatisticCatalogue"/> lists the statistics a study computes (<see cref="StatisticCatalogue.BuiltIn"/>
/// by default); reports, the console, agreement.json and the pinned tables iterate the catalogue they
/// are given. Adding a statistic is its computation plus one descriptor given to <see cref="StatisticCatalogue.With"/>.
/// </summary>
/// <param name="Id">Stable key in agreement.json; never change one.</param>
/// <param name="DisplayName">As a report's column names it (e.g. "Pearson r").</param>
/// <param name="ShortName">As compact tables name it (e.g. "r", "rho").</param>
/// <param name="Compute">The statistic of (x, y) given the top-k fraction; undefined values carry their reason.</param>
/// <param name="InSummary">Whether the console's and the report's summary tables show it (the task tables show every one).</param>
public sealed record AgreementStatistic(string Id, string DisplayName, string ShortName,
    Func<IReadOnlyList<double>, IReadOnlyList<double>, double, StatisticValue> Compute, bool InSummary = true)
{
    public static readonly AgreementStatistic Pearson = new("pearson", "Pearson r", "r", (x, y, _) => Correlation.Pearson(x, y));
    public static readonly AgreementStatistic Spearman = new("spearman", "Spearman ρ", "rho", (x, y, _) => Correlation.Spearman(x, y));
    public static readonly AgreementStatistic Kendall = new("kendall", "Kendall τ-b", "tau", (x, y, _) => Correlation.KendallTauB(x, y));
    public static readonly AgreementStatistic Jaccard = new("jaccard", "top-k Jaccard", "jaccard", TopK.Jaccard);
    public static readonly AgreementStatistic Sign = new("sign", "sign agreement", "sign", TopK.SignAgreement, InSummary: false);

    public override string ToString() => Id;
}
