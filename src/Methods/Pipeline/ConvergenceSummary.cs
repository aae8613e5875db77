using Concord.Methods.Targets;

namespace Concord.Methods.Pipeline;

/// <summary>IG's completeness error at one layer: |Σ IG − (F(a') − F(a))| over prompts, and the quadrature nodes used (they vary by batch with --steps auto).</summary>
public sealed record ConvergenceSummary(TargetSpace Kind, int Layer, double MaxAbsDelta, double MeanAbsDelta, double MaxAbsExpected, int MinSteps, int MaxSteps)
{
    /// <summary>Whose completeness: IG's, or split IG's (against F at each prompt's split point).</summary>
    public Attribution.Method Method { get; init; } = Attribution.Method.Ig;

    public string StepsText => MinSteps == MaxSteps ? $"{MaxSteps}" : $"{MinSteps}–{MaxSteps}";
}
