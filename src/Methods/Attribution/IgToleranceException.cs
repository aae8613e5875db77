using Concord.Methods.Components;

namespace Concord.Methods.Attribution;

/// <summary>`--steps auto` could not reach its tolerance within the step cap: the unit ends, saying where and how far it got.</summary>
public sealed class IgToleranceException(ComponentKind kind, int layer, double tolerance, double reached, int steps)
    : InvalidOperationException($"IG on {kind.Plural()} at layer {layer}: completeness error {reached:G3} of |F(end) − F(start)| at the cap of {steps} quadrature nodes, " +
                                $"above the tolerance {tolerance:G3}; loosen --ig-tolerance, or use fixed --steps and read the completeness table")
{
    public ComponentKind Kind { get; } = kind;
    public int Layer { get; } = layer;
    public double Reached { get; } = reached;
    public int Steps { get; } = steps;
}
