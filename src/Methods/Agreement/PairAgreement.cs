using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Results;

namespace Concord.Methods.Agreement;

/// <summary>
/// Agreement of two methods on one component kind: per prompt (over that prompt's components),
/// summarised across prompts, and pooled (all prompt–component pairs at once). Scores of different
/// component kinds have different scales and are never mixed.
/// </summary>
public sealed record PairAgreement(
    Method First, Method Second, TargetSpace Space, int Targets, int TopK,
    IReadOnlyList<StatisticValues> PerPrompt, StatisticValues Pooled,
    StatisticSummaries AcrossPrompts,
    IReadOnlyList<Disagreement> LargestDisagreements)
{
    public string Label => $"{First.DisplayName}↔{Second.DisplayName}";

    /// <summary>
    /// The same pair with both methods' scores divided per prompt by F(a') − F(a) (the normalised
    /// view); null where it was not computed (sweep points).
    /// </summary>
    public PairAgreement? Normalised { get; init; }

    public static PairAgreement Compute(MethodResult first, MethodResult second, TargetSpace kind, IReadOnlyList<int>? promptLengths = null,
        double topFraction = Agreement.TopK.DefaultFraction, int disagreements = 10, StatisticCatalogue? statistics = null) =>
        Compute(first.Method, second.Method, [new BatchScores(first.Scores, second.Scores, promptLengths, null)], kind, topFraction, disagreements, statistics);

    /// <summary>
    /// Scores of two methods for one batch; <c>Rows</c> name the prompts in disagreement lists (batch
    /// index when null); a prompt whose <c>InPooled</c> flag is false counts per prompt but is left
    /// out of the pooled statistics.
    /// </summary>
    public sealed record BatchScores(ScoreSet First, ScoreSet Second, IReadOnlyList<int>? Lengths, IReadOnlyList<int>? Rows, IReadOnlyList<bool>? InPooled = null);

    /// <param name="first">The method whose scores are each batch's <c>First</c> (score sets name their method only by id).</param>
    /// <param name="statistics">The statistics computed (the built-in ones when null).</param>
    public static PairAgreement Compute(Method first, Method second, IEnumerable<BatchScores> batches, TargetSpace kind,
        double topFraction = Agreement.TopK.DefaultFraction, int disagreements = 10, StatisticCatalogue? statistics = null)
    {
        var perPrompt = new List<StatisticValues>();
        var pooledX = new List<double>();
        var pooledY = new List<double>();
        var gaps = new List<Disagreement>();
        bool anyBatch = false;
        int componentCount = 0;
        foreach (var batch in batches)
        {
            anyBatch = true;
            // Align on the second set's components (AP may cover a neuron subset only) and drop padding positions.
            var components = batch.Second.Targets.Where(c => c.Space == kind).ToList();
            var a = batch.First.Select(components);
            var b = batch.Second.Select(components);
            for (int p = 0; p < a.Prompts; p++)
            {
                var slots = Enumerable.Range(0, components.Count)
                    .Where(j => components[j].Position is not int pos || batch.Lengths is null || pos < batch.Lengths[p]).ToArray();
                componentCount = Math.Max(componentCount, slots.Length);
                var x = slots.Select(j => a[p, j]).ToArray();
                var y = slots.Select(j => b[p, j]).ToArray();
                perPrompt.Add(StatisticValues.Of(x, y, topFraction, statistics));
                if (batch.InPooled?[p] ?? true)
                {
                    pooledX.AddRange(x);
                    pooledY.AddRange(y);
                }
                int prompt = batch.Rows?[p] ?? p;
                gaps.AddRange(slots.Select(j => new Disagreement(prompt, components[j], a[p, j], b[p, j])));
            }
        }
        var across = StatisticSummaries.Of(perPrompt, statistics);
        if (!anyBatch) throw new ArgumentException("no batch of scores to compare", nameof(batches));
        return new PairAgreement(first, second, kind, componentCount, Agreement.TopK.K(componentCount, topFraction),
            perPrompt, StatisticValues.Of(pooledX, pooledY, topFraction, statistics), across,
            gaps.OrderByDescending(g => g.Gap).Take(disagreements).ToList());
    }
}
