using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Methods.Attribution.Naive;

/// <summary>
/// The original notebook's way to evaluate F: one full-model forward from the embedding, logits at
/// every position, for every patch and every IG step. The naive methods are built on it; they are
/// the reference of the tests and the baseline of the benchmarks.
/// </summary>
internal static class FullRun
{
    public static Tensor Metric(AttributionContext context, ComponentLayout layout, int layer, Tensor activation)
    {
        var hooks = (context.Options.FixedHooks ?? HookSet.Empty)
            .Concat(new HookSet().Replace(layout.Hook(layer), layout.ToHookValue(activation, context.Model.Weights, layer)));
        var logits = context.Model.Run(context.BaseTokens.Tokens, hooks);                 // [b, pos, vocab]
        context.RunsCounted++;
        var rows = arange(logits.shape[0], dtype: ScalarType.Int64, device: logits.device);
        return context.Metric.EvaluateBatch(logits[rows, context.BaseTokens.LastPositions]);
    }
}
