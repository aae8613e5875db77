namespace Concord.Methods.Components;

/// <summary>What a score is attributed to.</summary>
public enum ComponentKind
{
    /// <summary>An attention head: its slice of <c>attn.hook_z</c> [batch, pos, head, d_head].</summary>
    Head,
    /// <summary>An MLP neuron: its slice of <c>mlp.hook_post</c> [batch, pos, d_mlp].</summary>
    Neuron,
    /// <summary>A whole MLP layer: <c>hook_mlp_out</c> [batch, pos, d_model].</summary>
    Mlp,
    /// <summary>
    /// A head's output z_h·W_O^h [batch, pos, head, d_model], fed back into <c>hook_attn_out</c> as
    /// Σ_h + b_O. Materialised only when asked for; scores equal <see cref="Head"/>'s because the map is linear.
    /// </summary>
    HeadOutput,
}

public static class ComponentKinds
{
    /// <summary>The stable identifier: the command-line spelling, and the name in file names, unit keys, CSV and JSON outputs. Never change one: resumed runs and pinned snapshots depend on it.</summary>
    public static string Id(this ComponentKind kind) => kind switch
    {
        ComponentKind.Head => "head",
        ComponentKind.Neuron => "neuron",
        ComponentKind.Mlp => "mlp",
        ComponentKind.HeadOutput => "head-output",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Plural for captions: heads, neurons, MLP layers, head outputs.</summary>
    public static string Plural(this ComponentKind kind) => kind switch
    {
        ComponentKind.Head => "heads",
        ComponentKind.Neuron => "neurons",
        ComponentKind.Mlp => "MLP layers",
        ComponentKind.HeadOutput => "head outputs",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a list of kinds by their ids, singular or plural (heads, neurons, mlp, head-outputs); a list naming none is refused, as it would score nothing.</summary>
    public static IReadOnlyList<ComponentKind> ParseList(string text)
    {
        var ids = Concord.Model.IdList.Split(text, "component kind", "heads, neurons, mlp, head-outputs");
        return ids.Select(Parse).Distinct().ToArray();
    }

    public static ComponentKind Parse(string text)
    {
        var wanted = text.Trim().ToLowerInvariant();
        foreach (var kind in Enum.GetValues<ComponentKind>())
            if (wanted == kind.Id() || wanted == kind.Id() + "s") return kind;
        throw new ArgumentException($"unknown component kind '{text.Trim()}' (heads, neurons, mlp, head-outputs)");
    }
}
