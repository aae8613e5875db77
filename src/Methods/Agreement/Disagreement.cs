using Concord.Methods.Targets;

namespace Concord.Methods.Agreement;

/// <summary>One of the largest disagreements: a (prompt, component) where the two methods differ most.</summary>
public sealed record Disagreement(int Prompt, Target Target, double First, double Second)
{
    public double Gap => Math.Abs(First - Second);
}
