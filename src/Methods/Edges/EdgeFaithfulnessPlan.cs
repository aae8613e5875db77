using System.Security.Cryptography;
using System.Text;
using Concord.Methods.Attribution;
using Concord.Methods.Verification;
using Concord.Model.Edges;

namespace Concord.Methods.Edges;

/// <summary>
/// Which circuits edge faithfulness evaluates: per method and ranking (signed, absolute) the pruned
/// top-k circuits of every size, plus the seeded random rankings; <see cref="ToRun"/> lists each
/// distinct circuit that is neither empty nor full once (those read m(∅) and m(full) themselves).
/// A plan depends on the scores' prompt means over the whole task, so it is made once and then
/// evaluated batch by batch; its <see cref="Fingerprint"/> names every circuit.
/// </summary>
public sealed class EdgeFaithfulnessPlan
{
    public sealed record Curve(string Method, RankingKind Ranking, IReadOnlyList<EdgeCircuit> Circuits);

    public EdgeGraph Graph { get; }
    public IReadOnlyList<double> Percentages { get; }
    public IReadOnlyList<Curve> Curves { get; }
    public IReadOnlyList<int> Seeds { get; }
    public IReadOnlyList<EdgeCircuit> ToRun { get; }
    /// <summary>A hash of every circuit to run, in order: units computed for one plan never serve another.</summary>
    public string Fingerprint { get; }

    private readonly Dictionary<string, int> _rowOf;

    private EdgeFaithfulnessPlan(EdgeGraph graph, IReadOnlyList<double> percentages, IReadOnlyList<Curve> curves, IReadOnlyList<int> seeds)
    {
        Graph = graph;
        Percentages = percentages;
        Curves = curves;
        Seeds = seeds;
        _rowOf = [];
        var toRun = new List<EdgeCircuit>();
        foreach (var circuit in curves.SelectMany(p => p.Circuits).Where(c => c.EdgeCount > 0 && c.EdgeCount < graph.EdgeCount))
            if (_rowOf.TryAdd(EdgeFaithfulness.Key(circuit), toRun.Count)) toRun.Add(circuit);
        ToRun = toRun;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", toRun.Select(EdgeFaithfulness.Key)))))[..16];
    }

    /// <summary>The row of <see cref="ToRun"/> that evaluates <paramref name="circuit"/>.</summary>
    public int RowOf(EdgeCircuit circuit) => _rowOf[EdgeFaithfulness.Key(circuit)];

    /// <param name="methods">Each method's prompt-mean score per edge (<see cref="EdgeScores.Mean"/>).</param>
    /// <param name="seed">Random ranking r is <see cref="Ranking.Random"/>(edges, seed + r).</param>
    public static EdgeFaithfulnessPlan Of(EdgeGraph graph, Direction direction, IReadOnlyList<(string Method, IReadOnlyList<double> MeanScores)> methods,
        int randomRankings = EdgeFaithfulness.DefaultRandomRankings, int seed = 0, IReadOnlyList<double>? percentages = null)
    {
        var sizes = (percentages ?? EdgeCircuit.Percentages).Order().ToList();
        Curve Plan(string method, RankingKind ranking, int[] order) =>
            new(method, ranking, sizes.Select(p => EdgeCircuit.Top(graph, order, EdgeCircuit.Size(graph, p))).ToList());
        var curves = new List<Curve>();
        foreach (var (method, mean) in methods)
        {
            if (mean.Count != graph.EdgeCount) throw new ArgumentException($"{method}: {mean.Count} mean scores for {graph.EdgeCount} edges", nameof(methods));
            foreach (var ranking in new[] { RankingKind.Signed, RankingKind.Absolute })
                curves.Add(Plan(method, ranking, EdgeCircuit.Order(mean, ranking, direction)));
        }
        var seeds = Enumerable.Range(0, randomRankings).Select(r => seed + r).ToList();
        foreach (int s in seeds) curves.Add(Plan(EdgeFaithfulness.RandomMethod, RankingKind.Signed, Ranking.Random(graph.EdgeCount, s)));
        return new EdgeFaithfulnessPlan(graph, sizes, curves, seeds);
    }
}
