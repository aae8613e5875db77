namespace Concord.Methods.Results;

/// <summary>One method's scores of one layer's components, with IG's completeness check when the method is IG.</summary>
public sealed record LayerScores(int Layer, ScoreSet Scores, Completeness? Completeness = null);

/// <summary>
/// IG's completeness check at one layer: Σ_c IG_c against F(end) − F(start), per prompt, for a
/// quadrature with <see cref="Steps"/> nodes. The difference is the quadrature error (captum's
/// convergence delta).
/// </summary>
public sealed record Completeness(int Steps, double[] Total, double[] Expected)
{
    public double[] Delta => Total.Zip(Expected, (t, e) => t - e).ToArray();
    public double MaxAbsDelta => Delta.Max(Math.Abs);
}
