namespace Concord.Methods.Agreement;

/// <summary>Each agreement statistic of one pair and component kind, summarised across prompts.</summary>
public sealed record AgreementSummaries(Summary Pearson, Summary Spearman, Summary Kendall, Summary Jaccard, Summary Sign)
{
    public static AgreementSummaries Of(IReadOnlyCollection<AgreementStats> perPrompt) => new(
        Summary.Of(perPrompt.Select(s => s.Pearson)), Summary.Of(perPrompt.Select(s => s.Spearman)), Summary.Of(perPrompt.Select(s => s.Kendall)),
        Summary.Of(perPrompt.Select(s => s.Jaccard)), Summary.Of(perPrompt.Select(s => s.SignAgreement)));

    /// <summary>The statistics under the names agreement.json gives them.</summary>
    public IEnumerable<(string Name, Summary Summary)> Named =>
        [("pearson", Pearson), ("spearman", Spearman), ("kendall", Kendall), ("jaccard", Jaccard), ("sign", Sign)];
}
