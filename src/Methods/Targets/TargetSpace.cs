namespace Concord.Methods.Targets;

/// <summary>
/// A named set of targets that scores hang on: heads, neurons, MLP layers and head outputs are the
/// built-in spaces (nodes of the model); a method may score a space of its own (an edge space, a
/// residual stream per position) by listing it, and the agreement, the store and every output take
/// it as they take the built-in ones. A space is a value compared by reference: the built-in ones are
/// the static instances below, a user's is one instance shared by the methods that score it and
/// given to the study (<see cref="Pipeline.PipelineOptions.Spaces"/>), so unit files can name it.
/// </summary>
public sealed class TargetSpace
{
    private readonly string _id;
    private readonly Func<Target, string> _label;
    private readonly Func<Target, string> _indexText;
    private readonly Func<int, IEnumerable<Model.HookPoint>> _cached;

    /// <summary>Plural for captions: heads, neurons, MLP layers, head outputs.</summary>
    public string Plural { get; }

    /// <summary>
    /// Whether the verification and structure passes can replace its targets (mean- or
    /// resample-ablate them): heads, neurons and MLP layers. Head outputs score what heads score
    /// (the map is linear), and a user's space says how to intervene on it nowhere, so both are left out.
    /// </summary>
    public bool Intervenable { get; private init; }

    /// <summary>Whether it is one of the model's node spaces, whose hooks <see cref="ComponentLayout"/> knows.</summary>
    public bool IsNode { get; private init; }

    /// <param name="id">The stable identifier: lower-case letters, digits and '-'.</param>
    /// <param name="label">How papers write a target (L3H7); "L{layer} {id} {index}" when null.</param>
    /// <param name="indexText">The target's index column in scores.csv (its number when null; an edge space writes the edge's name).</param>
    /// <param name="cached">The hook points a batch caches in both runs for the space's methods, per layer (none when null).</param>
    public TargetSpace(string id, string plural, Func<Target, string>? label = null, Func<Target, string>? indexText = null,
        Func<int, IEnumerable<Model.HookPoint>>? cached = null)
    {
        if (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            throw new ArgumentException($"a target space id is lower-case letters, digits and '-' (got '{id}')", nameof(id));
        _id = id;
        Plural = plural;
        _label = label ?? (t => $"L{t.Layer} {id} {t.Index}");
        _indexText = indexText ?? (t => t.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _cached = cached ?? (_ => []);
    }

    /// <summary>The hook points a batch caches in both runs at <paramref name="layer"/> for the space's methods (a node space's come from its <see cref="ComponentLayout"/>).</summary>
    public IEnumerable<Model.HookPoint> CachedAt(int layer) => _cached(layer);

    /// <summary>
    /// The stable identifier: the command-line spelling, and the name in file names, unit keys, CSV
    /// and JSON outputs. Never change one: resumed runs and pinned snapshots depend on it.
    /// </summary>
    public string Id() => _id;

    public override string ToString() => _id;

    /// <summary>How papers write the target, without its position.</summary>
    public string Label(Target target) => _label(target);

    /// <summary>The target's index as scores.csv writes it.</summary>
    public string IndexText(Target target) => _indexText(target);

    /// <summary>An attention head: its slice of <c>attn.hook_z</c> [batch, pos, head, d_head].</summary>
    public static TargetSpace Head { get; } = new("head", "heads", t => $"L{t.Layer}H{t.Index}") { IsNode = true, Intervenable = true };

    /// <summary>An MLP neuron: its slice of <c>mlp.hook_post</c> [batch, pos, d_mlp].</summary>
    public static TargetSpace Neuron { get; } = new("neuron", "neurons", t => $"L{t.Layer}N{t.Index}") { IsNode = true, Intervenable = true };

    /// <summary>A whole MLP layer: <c>hook_mlp_out</c> [batch, pos, d_model].</summary>
    public static TargetSpace Mlp { get; } = new("mlp", "MLP layers", t => $"L{t.Layer} MLP") { IsNode = true, Intervenable = true };

    /// <summary>
    /// A head's output z_h·W_O^h [batch, pos, head, d_model], fed back into <c>hook_attn_out</c> as
    /// Σ_h + b_O. Materialised only when asked for; scores equal <see cref="Head"/>'s because the map is linear.
    /// </summary>
    public static TargetSpace HeadOutput { get; } = new("head-output", "head outputs", t => $"L{t.Layer}H{t.Index} out") { IsNode = true };

    /// <summary>Where tables list the space: the built-in spaces in their fixed order, a user's after them (a stable sort keeps those in the order they came).</summary>
    public int Order => Array.IndexOf(Nodes, this) is var i and >= 0 ? i : int.MaxValue;

    /// <summary>The built-in spaces, the model's nodes, in their fixed order (head, neuron, mlp, head-output).</summary>
    public static IReadOnlyList<TargetSpace> BuiltIn => Nodes;

    // After the instances: static initialisers run in textual order.
    private static readonly TargetSpace[] Nodes = [Head, Neuron, Mlp, HeadOutput];

    /// <summary>Parses a list of spaces by their ids, singular or plural (heads, neurons, mlp, head-outputs); a list naming none is refused, as it would score nothing.</summary>
    public static IReadOnlyList<TargetSpace> ParseList(string text, IReadOnlyList<TargetSpace>? known = null)
    {
        known ??= BuiltIn;
        var ids = Concord.Model.IdList.Split(text, "component kind", Ids(known));
        return ids.Select(id => Parse(id, known)).Distinct().ToArray();
    }

    /// <summary>The space of <paramref name="known"/> (the built-in ones when null) with this id, singular or plural.</summary>
    public static TargetSpace Parse(string text, IReadOnlyList<TargetSpace>? known = null)
    {
        known ??= BuiltIn;
        var wanted = text.Trim().ToLowerInvariant();
        foreach (var space in known)
            if (wanted == space.Id() || wanted == space.Id() + "s") return space;
        throw new ArgumentException($"unknown component kind '{text.Trim()}' ({Ids(known)})");
    }

    private static string Ids(IReadOnlyList<TargetSpace> known) =>
        ReferenceEquals(known, BuiltIn) ? "heads, neurons, mlp, head-outputs" : string.Join(", ", known.Select(s => s.Id()));
}
