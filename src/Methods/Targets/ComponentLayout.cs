using Concord.Model;
using static TorchSharp.torch;

namespace Concord.Methods.Targets;

/// <summary>
/// How a node space (a built-in <see cref="TargetSpace"/>: heads, neurons, MLP layers, head outputs)
/// maps onto a hook: which hook point, how its activation splits into components, and how a value in
/// component space becomes the hook's value. Every activation is viewed as [batch, pos, C, R]: C
/// components per position, R elements each. A space of another kind has no layout: the methods
/// that score it say how.
/// </summary>
public sealed record ComponentLayout(TargetSpace Kind, Gpt2Config Config)
{
    public HookPoint Hook(int layer) =>
        Kind == TargetSpace.Head ? HookPoint.Z(layer)
        : Kind == TargetSpace.Neuron ? HookPoint.MlpPost(layer)
        : Kind == TargetSpace.Mlp ? HookPoint.MlpOut(layer)
        : Kind == TargetSpace.HeadOutput ? HookPoint.AttnOut(layer)
        : throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "only the model's node spaces map onto a hook");

    /// <summary>The hook points whose cached values <see cref="Activation"/> needs.</summary>
    public HookPoint Source(int layer) => Kind == TargetSpace.HeadOutput ? HookPoint.Z(layer) : Hook(layer);

    /// <summary>How many components of this kind one layer has at each position (heads, neurons, or 1 MLP layer).</summary>
    public int ComponentsPerPosition =>
        Kind == TargetSpace.Head || Kind == TargetSpace.HeadOutput ? Config.NHead
        : Kind == TargetSpace.Neuron ? Config.DMlp
        : 1;

    /// <summary>The activation the components partition, from cached hook values.</summary>
    public Tensor Activation(ActivationCache cache, Gpt2Weights weights, int layer)
    {
        var source = cache[Source(layer)];
        if (Kind != TargetSpace.HeadOutput) return source.alias();
        // r[b, p, h, :] = z[b, p, h, :] · W_O[h]   (W_O stored [in = h·d_head + e, out]).
        var wo = weights.Blocks[layer].WO.view(Config.NHead, Config.DHead, Config.NEmbd);
        return einsum("bphe,hed->bphd", source, wo);
    }

    /// <summary>The hook's value for an activation in component space.</summary>
    public Tensor ToHookValue(Tensor activation, Gpt2Weights weights, int layer) =>
        Kind == TargetSpace.HeadOutput ? activation.sum(2) + weights.Blocks[layer].BO : activation;

    /// <summary>[batch, pos, C, R] view of an activation.</summary>
    public Tensor Grouped(Tensor activation) =>
        Kind == TargetSpace.Head || Kind == TargetSpace.HeadOutput ? activation
        : Kind == TargetSpace.Neuron ? activation.unsqueeze(-1)
        : activation.unsqueeze(2);

    /// <summary>Per-element attributions [batch, ...] summed to components: [batch, C], or [batch, pos, C] per position.</summary>
    public Tensor SumToComponents(Tensor elementwise, bool perPosition)
    {
        var perComponent = Grouped(elementwise).sum(-1);
        return perPosition ? perComponent : perComponent.sum(1);
    }
}
