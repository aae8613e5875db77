namespace Concord.Methods.Targets;

/// <summary>
/// What one score hangs on: a target of a <see cref="TargetSpace"/>, at a layer, with its index
/// there and, for per-position variants, the position. A node (L3H7, L5N1234, L2 MLP) or a target
/// of a user's space; an edge space numbers its edges in <see cref="Index"/> (receiver's layer as
/// <see cref="Layer"/>) and names them through its label.
/// </summary>
public readonly record struct Target(int Layer, TargetSpace Space, int Index, int? Position = null)
{
    /// <summary>As papers write them: L3H7 (head), L3H7 out (head output), L5N1234 (neuron), L2 MLP; "@p" adds a position.</summary>
    public string Label => Space.Label(this) + (Position is int p ? $"@{p}" : "");

    public override string ToString() => Label;
}
