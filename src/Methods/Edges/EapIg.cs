using Concord.Model;
using Concord.Model.Edges;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Edges;

/// <summary>
/// EAP-IG with interpolated inputs (Hanna et al. 2024; MIB's best circuit method), exactly as
/// hannamw/EAP-IG computes it: (z̃_u − z_u(base)) · (1/m) Σ_{k=0}^{m−1} ∂F/∂x_v, the gradients taken on
/// the base tokens with the input embedding set to e_other + (k/m)(e_base − e_other): a left Riemann
/// sum of m steps, which starts at the other run's input and never evaluates the base's.
/// </summary>
public static class EapIg
{
    public const string Id = "eap-ig";

    /// <summary>MIB's setting.</summary>
    public const int DefaultSteps = 5;

    public static EdgeScores Attribute(EdgeContext context, int steps = DefaultSteps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "EAP-IG needs at least one step");
        using var scope = NewDisposeScope();
        var runs = context.Runs;
        var eBase = runs.BaseCache[HookPoint.Embed];
        var eOther = runs.OtherCache[HookPoint.Embed];
        // The step's fraction as a Scalar held through the call (an implicit one may be finalized while libtorch reads it; see CausalAttention).
        Tensor PathPoint(int k)
        {
            using var fraction = ((double)k / steps).ToScalar();
            return eOther + fraction * (eBase - eOther);
        }
        int batch = context.Batch;
        int perChunk = Math.Max(1, context.RecordedRowsPerChunk(withDeltas: false) / batch);
        // Δ is the same at every step: the steps' gradients are summed first and contracted once.
        ReceiverGradients? gradientSum = null;
        for (int from = 0; from < steps; from += perChunk)
        {
            using var chunk = NewDisposeScope();
            int count = Math.Min(perChunk, steps - from);
            var embedding = cat(Enumerable.Range(from, count).Select(PathPoint).ToArray(), 0);
            var (_, gradients, _) = EdgeGradients.AtRun(context, runs.BaseTokens.Tokens.RepeatAlongBatch(count), runs.BaseTokens.LastPositions.repeat(count),
                context.OtherRepeated(count), EdgeMask.None(count * batch, context.Model.DType, context.Model.Device), count, embedding, sumRepeats: true);
            gradientSum = (gradientSum is null ? gradients : gradientSum.Plus(gradients)).MoveToOuterDisposeScope();
        }
        var scores = gradientSum!.Scores(context.Graph, context.BaseDeltas()) / steps;
        return new EdgeScores(Id, context.Graph, EdgeScores.ToArray(scores));
    }
}
