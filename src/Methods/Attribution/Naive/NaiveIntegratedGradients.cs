using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution.Naive;

/// <summary>Integrated gradients as the notebook did it: one full run and one backward pass per quadrature node.</summary>
/// <param name="points">Nodes and weights (50 Gauss–Legendre nodes when null, IG's default).</param>
public sealed class NaiveIntegratedGradients(QuadraturePoints? points = null, Baseline baseline = Baseline.Aligned) : IAttributionMethod
{
    public Method Method => Method.Ig;

    public MethodResult Attribute(AttributionContext context, TargetSpace kind) => MethodResult.FromLayers(Method.Ig, kind,
        Enumerable.Range(0, context.Model.Config.NLayer).Select(l => Layer(context, kind, l, points, baseline)));

    public static LayerScores Layer(AttributionContext context, TargetSpace kind, int layer, QuadraturePoints? quadrature = null, Baseline baseline = Baseline.Aligned)
    {
        using var scope = NewDisposeScope();
        var options = context.Options;
        var q = quadrature ?? ((IgQuadrature.Fixed)IgSettings.Default.Quadrature).Points;
        var layout = new ComponentLayout(kind, context.Model.Config);
        var a = context.BaseActivation(layout, layer);
        var target = context.OtherActivation(layout, layer);
        var start = baseline == Baseline.Zero ? zeros_like(a) : a;
        var delta = target - start;
        var gradientSum = zeros_like(a);
        for (int j = 0; j < q.Count; j++)
        {
            using var stepScope = NewDisposeScope();
            var x = (start + q.Nodes[j] * delta).detach().requires_grad_(true);
            var metric = FullRun.Metric(context, layout, layer, x);
            gradientSum.add_(torch.autograd.grad([metric.sum()], [x])[0] * q.Weights[j]);
        }
        var attributions = delta * gradientSum;
        var scores = layout.SumToComponents(attributions, options.PerPosition);
        var expected = FullRun.Metric(context, layout, layer, target) - FullRun.Metric(context, layout, layer, start);
        return new LayerScores(layer, ScoreSet.FromLayer(Method.Ig.Id(), kind, layer, scores),
            new Completeness(q.Count, attributions.flatten(1).sum(1).ToDoubles(), expected.ToDoubles()));
    }
}
