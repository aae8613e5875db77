namespace Concord.Methods.Components;

/// <summary>One scored component: (layer, kind, index) and, for per-position variants, the position.</summary>
public readonly record struct Component(int Layer, ComponentKind Kind, int Index, int? Position = null)
{
    /// <summary>As papers write them: L3H7 (head), L3H7 out (head output), L5N1234 (neuron), L2 MLP; "@p" adds a position.</summary>
    public string Label => Kind switch
    {
        ComponentKind.Head => $"L{Layer}H{Index}",
        ComponentKind.HeadOutput => $"L{Layer}H{Index} out",
        ComponentKind.Neuron => $"L{Layer}N{Index}",
        _ => $"L{Layer} MLP",
    } + (Position is int p ? $"@{p}" : "");

    public override string ToString() => Label;
}
