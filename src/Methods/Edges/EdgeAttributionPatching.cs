using Concord.Model.Edges;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// EAP (Syed et al. 2023; attribution patching at edges): EAP_e = Σ_{pos, d} (z̃_u − z_u(base)) ·
/// ∂F/∂x_v at the base run, which is ∂F/∂θ_e at θ = 0. One recorded base run and one backward pass
/// score every edge.
/// </summary>
public static class EdgeAttributionPatching
{
    public const string Id = "eap";

    public static EdgeScores Attribute(EdgeContext context)
    {
        using var scope = NewDisposeScope();
        var tokens = context.Runs.BaseTokens;
        var (_, gradients, _) = EdgeGradients.AtRun(context, tokens.Tokens, tokens.LastPositions, context.OtherSenders,
            EdgeMask.None(context.Batch, context.Model.DType, context.Model.Device), 1);
        var scores = gradients.Scores(context.Graph, context.BaseDeltas());
        return new EdgeScores(Id, context.Graph, EdgeScores.ToArray(scores));
    }
}
