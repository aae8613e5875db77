using System.Globalization;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;

namespace Concord.Methods.Pipeline;

/// <summary>
/// One resumable piece of work for one batch. Its key hashes exactly the inputs and options that
/// change its result, each written through its stable <c>Id()</c>, so changing IG's steps
/// recomputes IG and nothing else, and renaming a C# member changes no key.
/// </summary>
public abstract record WorkUnit
{
    /// <summary>The unit's name in file names and progress lines (e.g. ig-head, sweep-mlp-0.1).</summary>
    public abstract string Name { get; }

    /// <summary>The options that affect this unit's result, as text (hashed into its key).</summary>
    public virtual string Fingerprint(PipelineOptions options)
    {
        var a = options.Attribution;
        return $"{Name}|direction={a.Direction.Id()}|per-position={(a.PerPosition ? "yes" : "no")}";
    }

    /// <summary>Whether a stored result is of this unit's kind and covers <paramref name="prompts"/> prompts (anything else is recomputed, not misread).</summary>
    public abstract bool Matches(UnitResult result, int prompts);
}

/// <summary>The batch's metric on the base and the other run: F(a) and F(a') of every prompt.</summary>
public sealed record MetricsUnit : WorkUnit
{
    public static MetricsUnit Instance { get; } = new();
    public override string Name => "metrics";
    public override bool Matches(UnitResult result, int prompts) => result is BatchMetrics m && m.Base.Length == prompts && m.Other.Length == prompts;
}

/// <summary>One method on one component kind, every layer.</summary>
public sealed record MethodUnit(Method Method, TargetSpace Space) : WorkUnit
{
    public override string Name => $"{Method.Id()}-{Space.Id()}";
    public override bool Matches(UnitResult result, int prompts) =>
        result is MethodUnitResult { Result: var r } && r.Method == Method && r.Space == Space
        && r.Scores.Targets.Count > 0 && r.Scores.Prompts == prompts
        && (Method.HasCompleteness ? r.Layers.All(l => r.CompletenessAt(l) is { } c && c.Total.Length == prompts) : r.Completeness.Count == 0);

    public override string Fingerprint(PipelineOptions options) =>
        string.Join("|", new[] { base.Fingerprint(options), Method.Fingerprint(options.MethodSettings, Space) }.Where(p => p.Length > 0));
}

/// <summary>Every swept method (<paramref name="Methods"/>' <see cref="MethodCatalogue.Swept"/>) on one component kind at one similarity-sweep scale s.</summary>
public sealed record SweepUnit(TargetSpace Space, double Scale, MethodCatalogue Methods) : WorkUnit
{
    public override string Name => $"sweep-{Space.Id()}-{Scale.ToString("0.####", CultureInfo.InvariantCulture)}";
    public override bool Matches(UnitResult result, int prompts) =>
        result is SweepUnitResult { Point: var p } && p.Space == Space && p.Scale == Scale
        && Methods.Swept.All(m => p.Scores.TryGetValue(m, out var s) && s.Prompts == prompts);

    public override string Fingerprint(PipelineOptions options)
    {
        // The sweep scales the aligned baseline's corruption whatever IG's baseline says.
        var settings = (options with { Ig = options.Ig with { Baseline = Baseline.Aligned } }).MethodSettings;
        return string.Join("|", Methods.Swept.Select(m => m.Fingerprint(settings, Space)).Where(p => p.Length > 0).Prepend(base.Fingerprint(options)));
    }
}
