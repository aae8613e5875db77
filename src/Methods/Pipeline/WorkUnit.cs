using System.Globalization;
using Concord.Methods.Attribution;
using Concord.Methods.Components;

namespace Concord.Methods.Pipeline;

/// <summary>
/// One resumable piece of work for one batch. Its key hashes exactly the inputs and options that
/// change its result, so changing --steps recomputes IG and nothing else.
/// </summary>
public abstract record WorkUnit
{
    /// <summary>The unit's name in file names and progress lines (e.g. ig-head, sweep-mlp-0.1).</summary>
    public abstract string Name { get; }

    /// <summary>The options that affect this unit's result, as text (hashed into its key).</summary>
    public virtual string Fingerprint(PipelineOptions options)
    {
        var a = options.Attribution;
        return $"{Name}|direction={a.Direction}|per-position={a.PerPosition}";
    }

    /// <summary>Whether a stored result is of this unit's kind and covers <paramref name="prompts"/> prompts (anything else is recomputed, not misread).</summary>
    public abstract bool Matches(UnitResult result, int prompts);

    protected static string IgOptions(AttributionOptions a, Baseline baseline) =>
        $"rule={a.Rule};steps={a.Steps};baseline={baseline}" + (a.IgTolerance is double t ? $";auto-tolerance={t:R}" : "");
    protected static string NeuronSubset(PipelineOptions o) => $"neurons={o.NeuronsPerLayer};seed={o.Seed}";
}

/// <summary>The batch's metric on the base and the other run: F(a) and F(a') of every prompt.</summary>
public sealed record MetricsUnit : WorkUnit
{
    public static MetricsUnit Instance { get; } = new();
    public override string Name => "metrics";
    public override bool Matches(UnitResult result, int prompts) => result is BatchMetrics m && m.Base.Length == prompts && m.Other.Length == prompts;
}

/// <summary>One method on one component kind, every layer.</summary>
public sealed record MethodUnit(Method Method, ComponentKind Kind) : WorkUnit
{
    public override string Name => $"{Method.Id()}-{Kind.Id()}";
    public override bool Matches(UnitResult result, int prompts) =>
        result is MethodUnitResult { Result: var r } && r.Method == Method && r.Kind == Kind
        && r.Layers.Count > 0 && r.Layers.All(l => l.Scores.Prompts == prompts && (l.Completeness is null) == (Method != Method.Ig));

    public override string Fingerprint(PipelineOptions options)
    {
        var parts = new List<string> { base.Fingerprint(options) };
        if (Method == Method.Ig) parts.Add(IgOptions(options.Attribution, options.Attribution.Baseline));
        if (Method == Method.Ap && Kind == ComponentKind.Neuron) parts.Add(NeuronSubset(options));
        return string.Join("|", parts);
    }
}

/// <summary>IG, AP and s·AtP of one component kind at one similarity-sweep scale s.</summary>
public sealed record SweepUnit(ComponentKind Kind, double Scale) : WorkUnit
{
    public override string Name => $"sweep-{Kind.Id()}-{Scale.ToString("0.####", CultureInfo.InvariantCulture)}";
    public override bool Matches(UnitResult result, int prompts) =>
        result is SweepUnitResult { Point: var p } && p.Kind == Kind && p.Scale == Scale && new[] { p.Ig, p.Ap, p.AtpScaled }.All(s => s.Prompts == prompts);

    public override string Fingerprint(PipelineOptions options)
    {
        // The sweep scales the aligned baseline's corruption whatever --baseline says.
        var parts = new List<string> { base.Fingerprint(options), IgOptions(options.Attribution, Baseline.Aligned) };
        if (Kind == ComponentKind.Neuron) parts.Add(NeuronSubset(options));
        return string.Join("|", parts);
    }
}
