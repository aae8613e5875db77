using Concord.Methods.Pipeline;

namespace Concord.Methods.Edges;

/// <summary>One batch's scores of one edge method over every edge.</summary>
public sealed record EdgeUnit(EdgeMethod Method, EdgeOptions Edges) : WorkUnit
{
    public override string Name => $"{Method}-edges";

    public override string Fingerprint(PipelineOptions options) => $"{base.Fingerprint(options)}|{Edges.Fingerprint(Method)}";

    public override bool Matches(UnitResult result, int prompts) =>
        result is EdgeUnitResult r && r.Method == Method.Id() && r.Values.Length == prompts && (!Method.HasCompleteness || r.Completeness is not null);
}

/// <summary>A batch's edge scores, <c>Values[prompt][edge]</c>, with edge IG's completeness.</summary>
public sealed record EdgeUnitResult(string Method, double[][] Values, EdgeCompleteness? Completeness) : UnitResult
{
    public static EdgeUnitResult Of(EdgeScores scores) =>
        new(scores.Method, Enumerable.Range(0, scores.Prompts).Select(scores.Row).ToArray(), scores.Completeness);
}

/// <summary>How an <see cref="EdgeUnitResult"/> is written in a unit file (tag "edges").</summary>
public sealed record StoredEdgeScores(string Method, double[][] Values, StoredEdgeCompleteness? Completeness) : StoredUnit
{
    public static UnitFormat Format { get; } = UnitFormat.Of<EdgeUnitResult, StoredEdgeScores>("edges",
        r => new StoredEdgeScores(r.Method, r.Values, r.Completeness is { } c
            ? new StoredEdgeCompleteness(c.Evaluations, c.Total, c.Expected, c.Mass, c.Pieces.Select(p => new[] { p.Start, p.End }).ToArray(), c.Converged, c.Stopped)
            : null));

    public override UnitResult ToResult() => new EdgeUnitResult(StoredFields.Required(Method), StoredFields.Required(Values),
        Completeness is { } c
            ? new EdgeCompleteness(c.Evaluations, StoredFields.Required(c.Total), StoredFields.Required(c.Expected), StoredFields.Required(c.Mass),
                StoredFields.Required(c.Pieces).Select(p => (p[0], p[1])).ToList(), c.Converged, c.Stopped)
            : null);
}

public sealed record StoredEdgeCompleteness(int Evaluations, double[] Total, double[] Expected, double[] Mass, double[][] Pieces, bool Converged, string? Stopped);
