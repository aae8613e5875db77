using Concord.Methods.Targets;

namespace Concord.Methods.Attribution;

/// <summary>`--steps auto` could not reach its tolerance within the step cap: the unit ends, saying where and how far it got.</summary>
public sealed class IgToleranceException(TargetSpace kind, int layer, double tolerance, double reached, int steps)
    : Exception(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"IG on {kind.Plural} at layer {layer}: completeness error {reached:G3} of |F(end) − F(start)| at the cap of {steps} quadrature nodes, above the tolerance {tolerance:G3}") +
        $" ({Loosen})"), Concord.Model.IHasRemedy
{
    private static readonly Concord.Model.Remedy Loosen = new("IgTolerance", "can be loosened, or fixed Steps used and the completeness table read");

    public string Problem { get; } = string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"IG on {kind.Plural} at layer {layer}: completeness error {reached:G3} of |F(end) − F(start)| at the cap of {steps} quadrature nodes, above the tolerance {tolerance:G3}");
    public Concord.Model.Remedy? Remedy => Loosen;
    public TargetSpace Kind { get; } = kind;
    public int Layer { get; } = layer;
    public double Reached { get; } = reached;
    public int Steps { get; } = steps;
}
