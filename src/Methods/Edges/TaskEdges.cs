using Concord.Model.Edges;

namespace Concord.Methods.Edges;

/// <summary>A task's edge scores: per method, every prompt (batches in order) and edge; the completeness check per batch of the method that has one (edge IG's among the built-ins).</summary>
public sealed record TaskEdges(EdgeGraph Graph, IReadOnlyList<int[]> Rows, IReadOnlyDictionary<string, EdgeScores> Scores,
    IReadOnlyList<EdgeCompleteness> Completeness)
{
    public IReadOnlyList<string> Methods => Scores.Keys.ToList();

    /// <summary>The catalogue the methods came from: their names, the reference and the pairs compared.</summary>
    public EdgeMethodCatalogue Catalogue { get; init; } = EdgeMethodCatalogue.BuiltIn;

    /// <summary>The pairs of the task's methods that are compared, by id.</summary>
    public IEnumerable<(string First, string Second)> Pairs => Catalogue.Pairs(Methods);

    /// <summary>The reference when it ran, else the first method: the ranking the circuit figure and the strongest path follow.</summary>
    public string Reference => Catalogue.ReferenceAmong(Methods);

    /// <summary>MIB's circuit faithfulness at edges, when it was asked for and every batch of it is in the store.</summary>
    public EdgeFaithfulnessResult? Faithfulness { get; init; }
    /// <summary>The circuits the faithfulness evaluated (drawn and exported at the chosen size).</summary>
    public EdgeFaithfulnessPlan? Plan { get; init; }
    public int Prompts => Rows.Sum(r => r.Length);

    /// <summary>Every batch of the method with a completeness check met τ (true when none ran).</summary>
    public bool CompletenessMet => Completeness.All(c => c.Converged);

    public static TaskEdges Of(EdgeGraph graph, IReadOnlyList<int[]> rows, IReadOnlyList<string> methods, Func<int, string, EdgeUnitResult> unit)
    {
        var scores = new Dictionary<string, EdgeScores>();
        var completeness = new List<EdgeCompleteness>();
        foreach (var method in methods)
        {
            var values = new double[rows.Sum(r => r.Length), graph.EdgeCount];
            int prompt = 0;
            for (int b = 0; b < rows.Count; b++)
            {
                var result = unit(b, method);
                foreach (var row in result.Values)
                {
                    for (int e = 0; e < graph.EdgeCount; e++) values[prompt, e] = row[e];
                    prompt++;
                }
                if (result.Completeness is { } c) completeness.Add(c);
            }
            scores[method] = new EdgeScores(method, graph, values);
        }
        return new TaskEdges(graph, rows, scores, completeness);
    }
}
