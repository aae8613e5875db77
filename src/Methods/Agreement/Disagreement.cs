using Concord.Methods.Components;

namespace Concord.Methods.Agreement;

/// <summary>One of the largest disagreements: a (prompt, component) where the two methods differ most.</summary>
public sealed record Disagreement(int Prompt, Component Component, double First, double Second)
{
    public double Gap => Math.Abs(First - Second);
}
