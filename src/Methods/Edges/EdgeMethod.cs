using System.Globalization;

namespace Concord.Methods.Edges;

/// <summary>
/// One edge method, described once: its id and name, how it scores every edge of a batch, the
/// settings of <see cref="EdgeOptions"/> that change its numbers, and whom it is compared with
/// besides the reference. An <see cref="EdgeMethodCatalogue"/> lists the methods an edge pass
/// knows; the pass, its unit keys, agreement.json and report.md iterate it, so an edge method is
/// its scoring class plus one descriptor in a catalogue.
/// </summary>
public sealed class EdgeMethod
{
    private readonly string _id;
    private readonly Func<EdgeContext, EdgeOptions, EdgeScores> _score;
    private readonly Func<EdgeOptions, string> _fingerprint;

    /// <summary>As the literature writes it: AP, IG, EAP, EAP-IG.</summary>
    public string DisplayName { get; }

    /// <summary>Whether its scores carry a completeness check (edge IG: Σ_e IG_e against F(1) − F(0)); a stored unit without one is recomputed.</summary>
    public bool HasCompleteness { get; }

    /// <summary>Ids of further methods its scores are compared with (IG with EAP-IG, its form in the field).</summary>
    public IReadOnlyList<string> AlsoComparedWith { get; }

    /// <param name="id">The stable identifier: lower-case letters, digits and '-'.</param>
    /// <param name="fingerprint">Its settings as stable text, hashed into its units' keys; "" when none change its numbers.</param>
    public EdgeMethod(string id, string displayName, Func<EdgeContext, EdgeOptions, EdgeScores> score, Func<EdgeOptions, string>? fingerprint = null,
        bool hasCompleteness = false, IReadOnlyList<string>? alsoComparedWith = null)
    {
        if (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            throw new ArgumentException($"an edge method id is lower-case letters, digits and '-' (got '{id}')", nameof(id));
        _id = id;
        DisplayName = displayName;
        _score = score;
        _fingerprint = fingerprint ?? (_ => "");
        HasCompleteness = hasCompleteness;
        AlsoComparedWith = alsoComparedWith ?? [];
    }

    /// <summary>The stable identifier: in --methods, unit names, file names and outputs. Never change one: resumed runs depend on it.</summary>
    public string Id() => _id;

    public override string ToString() => _id;

    /// <summary>Every edge's score on every prompt of the batch.</summary>
    public EdgeScores Score(EdgeContext context, EdgeOptions options) => _score(context, options);

    /// <summary>The method's settings that change its numbers, for its unit's key.</summary>
    public string Fingerprint(EdgeOptions options) => _fingerprint(options);

    /// <summary>Exact edge patching: the reference, what patching an edge measures.</summary>
    public static EdgeMethod Ap { get; } = new(ExactEdgePatching.Id, "AP", (context, _) => ExactEdgePatching.Attribute(context));

    /// <summary>IG at edges along the mask path, converged to τ by the adaptive composite rule.</summary>
    public static EdgeMethod Ig { get; } = new(EdgeIntegratedGradients.Id, "IG",
        (context, o) => EdgeIntegratedGradients.Attribute(context, o.IgTolerance, o.IgCap),
        o => string.Create(CultureInfo.InvariantCulture, $"tau={o.IgTolerance:R}|cap={o.IgCap}"),
        hasCompleteness: true, alsoComparedWith: [Edges.EapIg.Id]);

    /// <summary>Edge attribution patching: the first-order term, one backward pass.</summary>
    public static EdgeMethod Eap { get; } = new(EdgeAttributionPatching.Id, "EAP", (context, _) => EdgeAttributionPatching.Attribute(context));

    /// <summary>EAP-IG (inputs): m steps of a left Riemann sum over interpolated inputs.</summary>
    public static EdgeMethod EapIg { get; } = new(Edges.EapIg.Id, "EAP-IG", (context, o) => Edges.EapIg.Attribute(context, o.EapIgSteps),
        o => $"steps={o.EapIgSteps}");
}
