using Concord.Methods.Targets;
using Concord.Methods.Results;

namespace Concord.Methods.Attribution;

/// <summary>
/// Split IG, as the original study defined it: IG integrated only up to the first point of the path
/// (on the evaluated grid) where the metric has covered the fraction r of F(1) − F(0); the rest of the path is "saturated"
/// (F no longer moves, yet its gradients still add to IG). Each prompt has its own split point, and
/// its completeness is checked against F there, not at the path's end. It is read from the same
/// composite integral as IG (<see cref="IntegratedGradients.Composite"/>), whose grid also meets τ
/// up to every split point: split IG costs what refining for it costs, no second integral.
/// </summary>
/// <param name="settings">IG's settings: the adaptive rule with <see cref="IgQuadrature.Adaptive.Split"/> set.</param>
public sealed class SplitIntegratedGradients(IgSettings settings) : IAttributionMethod
{
    public IgSettings Settings { get; } = settings.Quadrature is IgQuadrature.Adaptive { Split: not null } ? settings
        : throw new ArgumentException("split IG needs the adaptive composite rule with a split fraction (--steps auto --split-ig r): a fixed rule's "
            + "nodes say nothing about IG up to a point between them", nameof(settings));

    public Method Method => Method.IgSplit;

    public MethodResult Attribute(AttributionContext context, TargetSpace kind) => MethodResult.FromLayers(Method.IgSplit, kind,
        Enumerable.Range(0, context.Model.Config.NLayer).Select(l =>
            IntegratedGradients.Composite(context, kind, l, Settings, (IgQuadrature.Adaptive)Settings.Quadrature).Split!));
}
