namespace Concord.Model;

/// <summary>
/// Which nonlinearities the forward pass applies. <see cref="Standard"/> is GPT-2; the linearised
/// variant (LayerNorm without normalisation, identity instead of GELU) exists for tests of exact
/// identities: with attention patterns frozen through hooks, the metric becomes affine in any
/// activation, so IG, AP and AtP must coincide.
/// </summary>
public sealed record ForwardVariant(bool NormaliseInLayerNorm = true, bool Gelu = true)
{
    public static ForwardVariant Standard { get; } = new();
    public static ForwardVariant Linearised { get; } = new(NormaliseInLayerNorm: false, Gelu: false);
}
