using Concord.Methods.Attribution;
using Concord.Methods.Results;

namespace Concord.Methods.Pipeline;

/// <summary>What one <see cref="WorkUnit"/> produced; the store keeps it so a resumed run does not redo it.</summary>
public abstract record UnitResult;

/// <summary>F(a) and F(a') per prompt: the metric of the base run (clean when noising) and of the other run.</summary>
public sealed record BatchMetrics(double[] Base, double[] Other) : UnitResult
{
    /// <summary>F(a') − F(a) per prompt: what completeness makes IG sum to, and the normalised view's denominator.</summary>
    public double[] FullEffect => Other.Zip(Base, (o, a) => o - a).ToArray();
}

public sealed record MethodUnitResult(MethodResult Result) : UnitResult;

public sealed record SweepUnitResult(SweepPoint Point) : UnitResult;
