using System.Text.RegularExpressions;

namespace Concord.Model;

/// <summary>The kinds of named activations, in the order a forward pass produces them.</summary>
public enum HookKind
{
    Embed, PosEmbed,
    ResidPre, QInput, KInput, VInput, Q, K, V, Pattern, Z, Result, AttnOut, ResidMid, MlpIn, MlpPre, MlpPost, MlpOut, ResidPost,
}

/// <summary>
/// A named activation of the model, spelled as in TransformerLens (<c>blocks.3.attn.hook_z</c>).
/// Hook points are ordered as the forward pass computes them, which is what run-from-hook relies on.
/// </summary>
public readonly partial record struct HookPoint(HookKind Kind, int Layer = -1) : IComparable<HookPoint>
{
    public static HookPoint Embed => new(HookKind.Embed);
    public static HookPoint PosEmbed => new(HookKind.PosEmbed);
    public static HookPoint ResidPre(int l) => new(HookKind.ResidPre, l);
    /// <summary>The residual stream as each head's query reads it, before ln_1: [batch, pos, head, d_model] (per head; see <see cref="IsPerHead"/>).</summary>
    public static HookPoint QInput(int l) => new(HookKind.QInput, l);
    public static HookPoint KInput(int l) => new(HookKind.KInput, l);
    public static HookPoint VInput(int l) => new(HookKind.VInput, l);
    public static HookPoint Q(int l) => new(HookKind.Q, l);
    public static HookPoint K(int l) => new(HookKind.K, l);
    public static HookPoint V(int l) => new(HookKind.V, l);
    public static HookPoint Pattern(int l) => new(HookKind.Pattern, l);
    public static HookPoint Z(int l) => new(HookKind.Z, l);
    /// <summary>Each head's output z_h·W_O[h] without the bias: [batch, pos, head, d_model] (per head; see <see cref="IsPerHead"/>).</summary>
    public static HookPoint Result(int l) => new(HookKind.Result, l);
    public static HookPoint AttnOut(int l) => new(HookKind.AttnOut, l);
    public static HookPoint ResidMid(int l) => new(HookKind.ResidMid, l);
    public static HookPoint MlpIn(int l) => new(HookKind.MlpIn, l);
    public static HookPoint MlpPre(int l) => new(HookKind.MlpPre, l);
    public static HookPoint MlpPost(int l) => new(HookKind.MlpPost, l);
    public static HookPoint MlpOut(int l) => new(HookKind.MlpOut, l);
    public static HookPoint ResidPost(int l) => new(HookKind.ResidPost, l);

    public bool IsGlobal => Kind is HookKind.Embed or HookKind.PosEmbed;

    /// <summary>
    /// A per-head copy of a residual-sized activation (TransformerLens's <c>hook_q_input</c>, <c>hook_k_input</c>,
    /// <c>hook_v_input</c> and <c>attn.hook_result</c>): H times the memory of the stream, so a run
    /// computes it only when a hook sits on it or a cache names it, and never otherwise.
    /// </summary>
    public bool IsPerHead => Kind is HookKind.QInput or HookKind.KInput or HookKind.VInput or HookKind.Result;

    public string Name => Kind switch
    {
        HookKind.Embed => "hook_embed",
        HookKind.PosEmbed => "hook_pos_embed",
        _ => $"blocks.{Layer}.{Suffix(Kind)}",
    };

    public override string ToString() => Name;

    public int CompareTo(HookPoint other) =>
        IsGlobal != other.IsGlobal ? (IsGlobal ? -1 : 1)
        : Layer != other.Layer ? Layer.CompareTo(other.Layer)
        : Kind.CompareTo(other.Kind);

    public static bool operator <(HookPoint a, HookPoint b) => a.CompareTo(b) < 0;
    public static bool operator >(HookPoint a, HookPoint b) => a.CompareTo(b) > 0;
    public static bool operator <=(HookPoint a, HookPoint b) => a.CompareTo(b) <= 0;
    public static bool operator >=(HookPoint a, HookPoint b) => a.CompareTo(b) >= 0;

    private static readonly HookKind[] BlockKinds = Enum.GetValues<HookKind>().Where(k => k >= HookKind.ResidPre).ToArray();

    private static string Suffix(HookKind kind) => kind switch
    {
        HookKind.ResidPre => "hook_resid_pre",
        HookKind.QInput => "hook_q_input",
        HookKind.KInput => "hook_k_input",
        HookKind.VInput => "hook_v_input",
        HookKind.Result => "attn.hook_result",
        HookKind.Q => "attn.hook_q",
        HookKind.K => "attn.hook_k",
        HookKind.V => "attn.hook_v",
        HookKind.Pattern => "attn.hook_pattern",
        HookKind.Z => "attn.hook_z",
        HookKind.AttnOut => "hook_attn_out",
        HookKind.ResidMid => "hook_resid_mid",
        HookKind.MlpIn => "hook_mlp_in",
        HookKind.MlpPre => "mlp.hook_pre",
        HookKind.MlpPost => "mlp.hook_post",
        HookKind.MlpOut => "hook_mlp_out",
        HookKind.ResidPost => "hook_resid_post",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [GeneratedRegex(@"^blocks\.(\d+)\.(.+)$")]
    private static partial Regex BlockName();

    public static bool TryParse(string name, out HookPoint point)
    {
        point = default;
        if (name == "hook_embed") { point = Embed; return true; }
        if (name == "hook_pos_embed") { point = PosEmbed; return true; }
        var m = BlockName().Match(name);
        if (!m.Success || !int.TryParse(m.Groups[1].Value, out int layer)) return false;
        foreach (var kind in BlockKinds)
            if (Suffix(kind) == m.Groups[2].Value) { point = new HookPoint(kind, layer); return true; }
        return false;
    }

    public static HookPoint Parse(string name) =>
        TryParse(name, out var p) ? p : throw new ArgumentException($"'{name}' is not a hook point name (examples: hook_embed, blocks.0.attn.hook_z, blocks.3.mlp.hook_post)");

    /// <summary>Every hook point of a model with <paramref name="nLayer"/> blocks, in forward order; the per-head ones (<see cref="IsPerHead"/>) only when asked.</summary>
    public static IEnumerable<HookPoint> All(int nLayer, bool perHead = false)
    {
        yield return Embed;
        yield return PosEmbed;
        for (int l = 0; l < nLayer; l++)
            foreach (var kind in BlockKinds)
                if (perHead || !new HookPoint(kind, l).IsPerHead) yield return new HookPoint(kind, l);
    }

    /// <summary>
    /// The cached activations a run that starts at this point needs from upstream: the residual
    /// stream it adds to, and the attention inputs it does not recompute.
    /// </summary>
    public IReadOnlyList<HookPoint> UpstreamNeeds => Kind switch
    {
        HookKind.Embed or HookKind.ResidPre or HookKind.ResidMid or HookKind.ResidPost => [],
        HookKind.PosEmbed => [Embed],
        HookKind.Q => [ResidPre(Layer), K(Layer), V(Layer)],
        HookKind.K => [ResidPre(Layer), Q(Layer), V(Layer)],
        HookKind.V => [ResidPre(Layer), Q(Layer), K(Layer)],
        HookKind.Pattern => [ResidPre(Layer), V(Layer)],
        HookKind.Z or HookKind.AttnOut => [ResidPre(Layer)],
        _ => [ResidMid(Layer)],
    };
}
