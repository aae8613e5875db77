using Concord.Methods.Verification;

namespace Concord.Methods.Edges;

/// <summary>One circuit of a curve: the size asked for, the edges kept after pruning, their share of the graph, and f.</summary>
public readonly record struct EdgeCircuitRow(double RequestedPercent, int Requested, int EdgeCount, double Share, double Faithfulness);

/// <summary>
/// A ranking's faithfulness curve over circuit sizes, CPR = ∫ f and CMD = ∫ |1 − f| by the
/// trapezoid over the real share of edges, from (0, f(∅) = 0) to (1, f(full) = 1).
/// </summary>
/// <param name="Method">The ranking's method id, or <see cref="EdgeFaithfulness.RandomMethod"/>.</param>
/// <param name="CprInterval">CPR's 95 % bootstrap interval over prompts (rankings and circuits fixed), or null when not resampled.</param>
public sealed record EdgeFaithfulnessCurve(string Method, RankingKind Ranking, IReadOnlyList<EdgeCircuitRow> Rows, double Cpr, double Cmd, Interval? CprInterval = null);

/// <summary>The seeded random rankings (the control): each one's curve and their mean CPR and CMD.</summary>
public sealed record EdgeRandomControl(IReadOnlyList<int> Seeds, IReadOnlyList<EdgeFaithfulnessCurve> Curves, double MeanCpr, double MeanCmd);

/// <summary>
/// Edge-level faithfulness of one task: m̄(full) (the base run), m̄(∅) (every edge at z̃), each
/// method's curves signed and absolute, and the random control.
/// </summary>
/// <param name="Undefined">Why f is undefined (m̄(full) = m̄(∅)), or null; then there are no curves.</param>
public sealed record EdgeFaithfulnessResult(int Edges, double MetricFull, double MetricEmpty, IReadOnlyList<EdgeFaithfulnessCurve> Curves,
    EdgeRandomControl? Random, string? Undefined);
