namespace Concord.Methods.Components;

/// <summary>One scored component: (layer, kind, index) and, for per-position variants, the position.</summary>
public readonly record struct Component(int Layer, ComponentKind Kind, int Index, int? Position = null)
{
    public string Label => Kind switch
    {
        ComponentKind.Head or ComponentKind.HeadOutput => $"{Layer}.{Index}",
        ComponentKind.Neuron => $"N{Layer}.{Index}",
        _ => $"MLP{Layer}",
    } + (Position is int p ? $"@{p}" : "");

    public override string ToString() => Label;
}
