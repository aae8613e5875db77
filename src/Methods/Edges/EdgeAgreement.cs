using Concord.Methods.Agreement;
using Concord.Model.Edges;

namespace Concord.Methods.Edges;

/// <summary>
/// Agreement of two edge methods over every edge: per prompt Spearman, Pearson and top-k Jaccard
/// (by |score|) summarised over prompts, and the same three on the prompt-mean scores (pooled).
/// </summary>
public sealed record EdgePairAgreement(string First, string Second, Summary Spearman, Summary Pearson, Summary Jaccard,
    StatisticValue PooledSpearman, StatisticValue PooledPearson, StatisticValue PooledJaccard)
{
    public static EdgePairAgreement Of(EdgeScores first, EdgeScores second, double topFraction)
    {
        var spearman = new List<StatisticValue>();
        var pearson = new List<StatisticValue>();
        var jaccard = new List<StatisticValue>();
        for (int b = 0; b < first.Prompts; b++)
        {
            var (x, y) = (first.Row(b), second.Row(b));
            spearman.Add(Correlation.Spearman(x, y));
            pearson.Add(Correlation.Pearson(x, y));
            jaccard.Add(TopK.Jaccard(x, y, topFraction));
        }
        var (mx, my) = (first.Mean(), second.Mean());
        return new EdgePairAgreement(first.Method, second.Method, Summary.Of(spearman), Summary.Of(pearson), Summary.Of(jaccard),
            Correlation.Spearman(mx, my), Correlation.Pearson(mx, my), TopK.Jaccard(mx, my, topFraction));
    }
}

/// <summary>
/// The strongest path by a reference method's prompt-mean scores: from the logits back, each step the
/// in-edge of largest |score| into the current node, until the input. Along it, each method's score
/// per edge shows the serial-path effect: patching any edge of a path removes all of it (AP gives
/// each edge the whole effect), IG splits it among the edges in series (completeness).
/// </summary>
public sealed record StrongestPath(IReadOnlyList<int> Edges, IReadOnlyDictionary<string, double[]> Scores)
{
    public static StrongestPath Of(TaskEdges edges, string reference)
    {
        var graph = edges.Graph;
        var mean = edges.Scores[reference].Mean();
        var means = edges.Scores.ToDictionary(kv => kv.Key, kv => kv.Value.Mean());
        var path = new List<int>();
        var receivers = new List<int> { graph.Receivers.Count - 1 };
        for (int guard = 0; guard <= graph.Layers * 2 + 1; guard++)
        {
            // The strongest in-edge into any input of the current node (a head's q, k and v inputs all belong to it).
            int best = receivers.SelectMany(r => Enumerable.Range(graph.FirstEdgeInto(r), graph.SendersInto(r)))
                .MaxBy(e => (Math.Abs(mean[e]), -e));
            path.Add(best);
            var sender = graph[best].From;
            if (sender.Kind == SenderKind.Input) break;
            receivers = sender.Kind == SenderKind.Mlp
                ? [graph.ReceiverIndex(new Receiver(ReceiverKind.Mlp, sender.Layer))]
                : [.. new[] { ReceiverInput.Q, ReceiverInput.K, ReceiverInput.V }.Select(i => graph.ReceiverIndex(new Receiver(ReceiverKind.Head, sender.Layer, sender.Head, i)))];
        }
        path.Reverse();
        return new StrongestPath(path, means.ToDictionary(kv => kv.Key, kv => path.Select(e => kv.Value[e]).ToArray()));
    }
}
