using Concord.Methods.Components;

namespace Concord.Methods.Pipeline;

/// <summary>IG's completeness error at one layer: |Σ IG − (F(a') − F(a))| over prompts.</summary>
public sealed record ConvergenceSummary(ComponentKind Kind, int Layer, double MaxAbsDelta, double MeanAbsDelta, double MaxAbsExpected);
