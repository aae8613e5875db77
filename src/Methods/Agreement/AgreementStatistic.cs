namespace Concord.Methods.Agreement;

/// <summary>
/// One agreement statistic of two score vectors, registered once: its id (agreement.json's key),
/// its names (report columns, the snapshot table), and its computation. Reports, the console,
/// agreement.json and the pinned tables iterate <see cref="All"/>; adding a statistic is its
/// computation plus one <see cref="Register"/> call.
/// </summary>
/// <param name="Id">Stable key in agreement.json; never change one.</param>
/// <param name="DisplayName">As a report's column names it (e.g. "Pearson r").</param>
/// <param name="ShortName">As compact tables name it (e.g. "r", "rho").</param>
/// <param name="Compute">The statistic of (x, y) given the top-k fraction; undefined values carry their reason.</param>
/// <param name="InSummary">Whether the console's and the report's summary tables show it (the task tables show every one).</param>
public sealed record AgreementStatistic(string Id, string DisplayName, string ShortName,
    Func<IReadOnlyList<double>, IReadOnlyList<double>, double, StatisticValue> Compute, bool InSummary = true)
{
    private static readonly List<AgreementStatistic> Registered = [];
    private static readonly Lock Gate = new();

    /// <summary>Every registered statistic, in registration order (the order of columns and keys).</summary>
    public static IReadOnlyList<AgreementStatistic> All { get { lock (Gate) return Registered.ToArray(); } }

    public static AgreementStatistic Register(AgreementStatistic statistic)
    {
        lock (Gate)
        {
            if (Registered.Any(s => s.Id == statistic.Id)) throw new ArgumentException($"a statistic '{statistic.Id}' is registered already", nameof(statistic));
            Registered.Add(statistic);
        }
        return statistic;
    }

    public static readonly AgreementStatistic Pearson = Register(new("pearson", "Pearson r", "r", (x, y, _) => Correlation.Pearson(x, y)));
    public static readonly AgreementStatistic Spearman = Register(new("spearman", "Spearman ρ", "rho", (x, y, _) => Correlation.Spearman(x, y)));
    public static readonly AgreementStatistic Kendall = Register(new("kendall", "Kendall τ-b", "tau", (x, y, _) => Correlation.KendallTauB(x, y)));
    public static readonly AgreementStatistic Jaccard = Register(new("jaccard", "top-k Jaccard", "jaccard", TopK.Jaccard));
    public static readonly AgreementStatistic Sign = Register(new("sign", "sign agreement", "sign", TopK.SignAgreement, InSummary: false));

    public override string ToString() => Id;
}
