namespace Concord.Methods.Results;

/// <summary>
/// IG's completeness check at one layer: Σ_c IG_c against F(end) − F(start), per prompt, for a
/// quadrature with <see cref="Steps"/> nodes. The difference is the quadrature error (captum's
/// convergence delta).
/// </summary>
/// <param name="Mass">Σ_i |IG_i| per prompt (before summing into components): the scale of the float round-off in <see cref="Total"/>; null when not recorded.</param>
public sealed record Completeness(int Steps, double[] Total, double[] Expected, double[]? Mass = null)
{
    /// <summary>The metric at every α the quadrature evaluated; null when not recorded (units of older versions).</summary>
    public MetricPath? Path { get; init; }

    /// <summary>
    /// Where each prompt's integral ended, as α on the path: split IG's split points, against which
    /// <see cref="Expected"/> is F(end) − F(start); null when every prompt's integral ran to α = 1.
    /// </summary>
    public double[]? Ends { get; init; }

    public double[] Delta => Total.Zip(Expected, (t, e) => t - e).ToArray();
    public double MaxAbsDelta => Delta.Max(Math.Abs);
}
