namespace Concord.Methods.Agreement;

/// <summary>Each agreement statistic of one pair and component kind, summarised across prompts.</summary>
public sealed record StatisticSummaries(IReadOnlyDictionary<AgreementStatistic, Summary> Values)
{
    public Summary this[AgreementStatistic statistic] => Values[statistic];

    public Summary Pearson => this[AgreementStatistic.Pearson];
    public Summary Spearman => this[AgreementStatistic.Spearman];
    public Summary Kendall => this[AgreementStatistic.Kendall];
    public Summary Jaccard => this[AgreementStatistic.Jaccard];
    public Summary Sign => this[AgreementStatistic.Sign];

    /// <summary>Each statistic of <paramref name="statistics"/> (the built-in ones when null) across the prompts.</summary>
    public static StatisticSummaries Of(IReadOnlyCollection<StatisticValues> perPrompt, StatisticCatalogue? statistics = null) =>
        new((statistics ?? StatisticCatalogue.BuiltIn).ToDictionary(s => s, s => Summary.Of(perPrompt.Select(p => p[s]))));
}
