using Concord.Methods.Targets;

namespace Concord.Methods.Attribution;

/// <summary>
/// One attribution method, described once: its id and names, the component kinds it scores, the
/// settings that change its numbers, a factory, and whom its scores are compared with. A
/// <see cref="MethodCatalogue"/> lists the methods a study knows (<see cref="MethodCatalogue.BuiltIn"/>
/// by default); the study, its unit keys, the analysis, the sweep, the report and the console iterate
/// the catalogue they are given. Adding a method is a class implementing <see cref="IAttributionMethod"/>
/// plus one descriptor given to <see cref="MethodCatalogue.With"/>. A descriptor is immutable and
/// belongs to no global list, so a test's own method is seen only by the studies given its catalogue.
/// </summary>
public sealed class Method
{
    private readonly string _id;

    /// <summary>As the literature writes it: IG, AP, AtP.</summary>
    public string DisplayName { get; }

    /// <summary>The component kinds the method can score.</summary>
    public IReadOnlyList<TargetSpace> Spaces { get; }

    /// <summary>The method's own settings that change its numbers (hashed into its units' keys); empty when none.</summary>
    public Func<MethodSettings, TargetSpace, string> Fingerprint { get; }

    /// <summary>
    /// The method for one batch with its settings; <c>scale</c> is the similarity sweep's s (the
    /// corruption scaled to a + sΔ), null for the main run. One instance serves every kind of a
    /// batch, so a method may share work across kinds (AtP's one backward pass).
    /// </summary>
    public Func<MethodSettings, double?, IAttributionMethod> Create { get; }

    /// <summary>Whether its scores are compared with the reference method (AP, what patching measures).</summary>
    public bool ComparedWithReference { get; }

    /// <summary>Ids of further methods its scores are compared with (IG with AtP, its first-order limit).</summary>
    public IReadOnlyList<string> AlsoComparedWith { get; }

    /// <summary>Whether it reports a completeness check per layer (IG).</summary>
    public bool HasCompleteness { get; }

    /// <summary>Whether it reads the base run's gradient, so the batch records the base run's graph (AtP).</summary>
    public bool UsesBaseGradient { get; }

    /// <summary>Whether the similarity sweep scores it at every s.</summary>
    public bool InSweep { get; }

    /// <summary>How the sweep's plot names its scores at scale s (s·AtP: AtP's first-order term scales with s); its display name when null.</summary>
    public string? SweepName { get; init; }

    /// <summary>Where its completeness check's integral ends when not at α = 1 (split IG: each prompt's split point), for the tables that show it.</summary>
    public string? CompletenessEnds { get; init; }

    /// <summary>
    /// The stable identifier: the command-line spelling, and the name in file names, unit keys, CSV
    /// and JSON outputs. Never change one: resumed runs and pinned snapshots depend on it.
    /// </summary>
    public string Id() => _id;

    public override string ToString() => _id;

    /// <summary>A method descriptor; its id must be lower-case letters, digits and '-' (the characters unit files and keys allow).</summary>
    public Method(string id, string displayName, Func<MethodSettings, double?, IAttributionMethod> create,
        IReadOnlyList<TargetSpace>? spaces = null, Func<MethodSettings, TargetSpace, string>? fingerprint = null,
        bool comparedWithReference = true, IReadOnlyList<string>? alsoComparedWith = null,
        bool hasCompleteness = false, bool usesBaseGradient = false, bool inSweep = false)
    {
        if (id.Length == 0 || id.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            throw new ArgumentException($"a method id is lower-case letters, digits and '-' (got '{id}')", nameof(id));
        _id = id;
        DisplayName = displayName;
        Spaces = spaces ?? TargetSpace.BuiltIn;
        Fingerprint = fingerprint ?? ((_, _) => "");
        Create = create;
        ComparedWithReference = comparedWithReference;
        AlsoComparedWith = alsoComparedWith ?? [];
        HasCompleteness = hasCompleteness;
        UsesBaseGradient = usesBaseGradient;
        InSweep = inSweep;
    }

    /// <summary>The settings this descriptor was bound with (<see cref="Bind{TSettings}"/>); null for a method that reads only the shared <see cref="MethodSettings"/>.</summary>
    public object? OwnSettings { get; private init; }

    /// <summary>
    /// A method that binds its own settings, as auto-circuit's PruneAlgo binds with <c>partial</c>: the
    /// factory and the fingerprint are given <paramref name="settings"/> ahead of the shared ones, so a
    /// new setting is a field of the method's own settings type, never of <see cref="MethodSettings"/>,
    /// and its unit keys change exactly when its settings' <paramref name="fingerprint"/> text does.
    /// </summary>
    /// <param name="create">The method for one batch, given the descriptor being bound (its results name it, so a copy bound with other settings labels its own scores), its settings, the shared ones and the sweep's s.</param>
    /// <param name="fingerprint">The settings as stable text (hashed into the method's unit keys); "" when they change no number.</param>
    public static Method Bind<TSettings>(string id, string displayName, TSettings settings,
        Func<Method, TSettings, MethodSettings, double?, IAttributionMethod> create, Func<TSettings, TargetSpace, string> fingerprint,
        IReadOnlyList<TargetSpace>? spaces = null, bool comparedWithReference = true, IReadOnlyList<string>? alsoComparedWith = null,
        bool hasCompleteness = false, bool usesBaseGradient = false, bool inSweep = false) where TSettings : notnull
    {
        Method bound = null!;
        bound = new(id, displayName, (shared, scale) => create(bound, settings, shared, scale), spaces, (_, kind) => fingerprint(settings, kind),
            comparedWithReference, alsoComparedWith, hasCompleteness, usesBaseGradient, inSweep) { OwnSettings = settings };
        return bound;
    }

    /// <summary>The bound settings as their fingerprint text per space, for the report's options (null for a method that binds none).</summary>
    public string? OwnSettingsText(IEnumerable<TargetSpace> spaces) =>
        OwnSettings is null ? null : string.Join(", ", spaces.Where(Spaces.Contains).Select(k => Fingerprint(MethodSettings.Default, k)).Where(t => t.Length > 0).Distinct());

    /// <summary>Integrated gradients: its quadrature and baseline are its settings.</summary>
    public static readonly Method Ig = new("ig", "IG",
        (s, scale) => new IntegratedGradients(scale is null ? s.IgCut : s.IgCut with { Baseline = Baseline.Aligned }, scale),
        fingerprint: (s, _) => s.IgCut.Id(),
        alsoComparedWith: ["atp"], hasCompleteness: true, inSweep: true);

    /// <summary>Activation patching: the reference every other method of the built-in catalogue is compared with.</summary>
    public static readonly Method Ap = new("ap", "AP",
        (s, scale) => new ActivationPatching(s.Neurons, scale),
        fingerprint: (s, kind) => kind == TargetSpace.Neuron ? s.Neurons.Id() : "",
        comparedWithReference: false, inSweep: true);

    /// <summary>Attribution patching: the first-order term, one backward pass shared by every kind of a batch.</summary>
    public static readonly Method Atp = new("atp", "AtP",
        (s, scale) => new AttributionPatching(s.Spaces, scale),
        usesBaseGradient: true, inSweep: true) { SweepName = "s·AtP" };

    /// <summary>
    /// Split IG (`--split-ig r`): IG up to each prompt's point of saturation, from IG's own composite
    /// integral; compared with AP and with IG. Never in the sweep (its split points are the main path's).
    /// </summary>
    public static readonly Method IgSplit = new("ig-split", "split IG",
        (s, _) => new SplitIntegratedGradients(s.IgCut),
        fingerprint: (s, _) => s.IgCut.Id(),
        alsoComparedWith: ["ig"], hasCompleteness: true) { CompletenessEnds = "to each prompt's split point" };
}

/// <summary>Each method's own settings, given to its factory: IG's quadrature and baseline, AP's neuron subset.</summary>
/// <param name="Spaces">Every target space the batch scores (a method may share work across them).</param>
/// <param name="SweepScales">The similarity sweep's scales: the adaptive IG cuts its path there, so the sweep's IG costs nothing more.</param>
public sealed record MethodSettings(IgSettings Ig, NeuronSubset Neurons, IReadOnlyList<TargetSpace> Spaces, IReadOnlyList<double>? SweepScales = null)
{
    public static MethodSettings Default { get; } = new(IgSettings.Default, NeuronSubset.All, TargetSpace.BuiltIn);

    /// <summary>IG's settings as IG runs them: cut at the sweep's scales when adaptive.</summary>
    public IgSettings IgCut => Ig.CutAt(SweepScales ?? []);
}

/// <summary>The neurons AP patches: <paramref name="PerLayer"/> per layer (a seeded random subset), or every neuron when 0.</summary>
public sealed record NeuronSubset(int PerLayer, int Seed)
{
    public static NeuronSubset All { get; } = new(0, 0);

    public string Id() => $"neurons={PerLayer};seed={Seed}";

    /// <summary>The neurons patched at a layer (the same for every batch and task, so scores line up); null for all.</summary>
    public IReadOnlyList<int>? At(int layer, int dMlp)
    {
        if (PerLayer <= 0 || PerLayer >= dMlp) return null;
        // A stable seed per layer (HashCode is randomised per process, so it would not do).
        var random = new Random(unchecked(Seed * 7919 + layer) & int.MaxValue);
        return Enumerable.Range(0, dMlp).OrderBy(_ => random.Next()).Take(PerLayer).Order().ToArray();
    }
}
