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

    /// <summary>Parses a --components list: heads, neurons, mlp (plural or singular), head-outputs.</summary>
    public static IReadOnlyList<ComponentKind> ParseList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.ToLowerInvariant() switch
        {
            "heads" or "head" => ComponentKind.Head,
            "neurons" or "neuron" => ComponentKind.Neuron,
            "mlp" or "mlps" => ComponentKind.Mlp,
            "head-outputs" or "head-output" => ComponentKind.HeadOutput,
            var other => throw new ArgumentException($"unknown component kind '{other}' (heads, neurons, mlp, head-outputs)"),
        }).Distinct().ToArray();
}
