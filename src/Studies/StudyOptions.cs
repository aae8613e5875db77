using Concord.Methods;
using System.Globalization;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Tasks;

namespace Concord.Studies;

/// <summary>Which rows of a task's dataset a study uses.</summary>
public enum ExampleOrder
{
    /// <summary>A seeded random sample (the behaviour filter, when on, draws from the same order).</summary>
    Sampled,
    /// <summary>The first rows in file order: fixed, so pinned tables always describe the same prompts.</summary>
    FirstRows,
}

/// <summary>
/// Everything a study is asked to do, in the library's own terms. <see cref="Identity"/> lists
/// every field that can change a number; the rest (the memory budget) only changes how work is chunked.
/// </summary>
public sealed record StudyOptions
{
    /// <summary>The tasks studied, in order: the six built-in ones by default; a user's own <see cref="TaskDescriptor"/> runs like them.</summary>
    public IReadOnlyList<TaskDescriptor> Tasks { get; init; } = TaskDescriptor.BuiltIn;
    /// <summary>A CSV in the task's schema instead of the project's dataset (one task only).</summary>
    public string? DataFile { get; init; }
    /// <summary>Prompts per task.</summary>
    public int Examples { get; init; } = 64;
    public ExampleOrder Order { get; init; } = ExampleOrder.Sampled;
    public PipelineOptions Pipeline { get; init; } = new();
    public TaskOptions TaskOptions { get; init; } = TaskOptions.Default;
    /// <summary>Keep only prompts on which the model shows the behaviour (never applied to random models).</summary>
    public bool BehaviourFilter { get; init; } = true;
    /// <summary>Verification by intervention after the attribution (off unless asked for; `concord run` asks for faithfulness and disagreements).</summary>
    public Methods.Verification.VerificationOptions Verification { get; init; } = new() { Analyses = Methods.Verification.VerificationAnalysis.None };
    /// <summary>
    /// Patch in both directions and analyse the AND / OR structure (`--direction both`); null for one
    /// direction. The pipeline's direction must then be noising: the other direction is derived from it.
    /// </summary>
    public Methods.Structure.StructureOptions? Structure { get; init; }

    /// <summary>Score edges (sender → receiver) with these edge methods (`--components edges`); null for none.</summary>
    public Methods.Edges.EdgeOptions? Edges { get; init; }

    /// <summary>The passes run over each task, in the order their units are numbered: the built-in ones by default, a user's after them.</summary>
    public IReadOnlyList<IStudyPass> Passes { get; init; } = StudyPasses.BuiltIn;

    /// <summary>The pipeline of the opposite direction when both run: the same methods and kinds, no sweep (the structure reads attribution only).</summary>
    public PipelineOptions? Opposite => Structure is null ? null : Pipeline with
    {
        Attribution = Pipeline.Attribution with { Direction = Pipeline.Attribution.Direction == Direction.Noising ? Direction.Denoising : Direction.Noising },
        SweepScales = [],
    };

    /// <summary>
    /// Every field that can change a unit's numbers or the rows used, by its stable text (the data
    /// file counts by content, in the data's fingerprint): the run's fingerprint is their hash, and two runs that differ are told apart by name.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Identity()
    {
        var p = Pipeline;
        static string List<T>(IEnumerable<T> items, Func<T, string> id) => string.Join(",", items.Select(id));
        static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        List<(string, string)> identity =
        [
            ("tasks", List(Tasks, t => t.Id())),
            ("examples", Examples.ToString(CultureInfo.InvariantCulture)),
            ("order", Order == ExampleOrder.Sampled ? "sampled" : "first-rows"),
            ("behaviour-filter", BehaviourFilter ? "on" : "off"),
            ("seed", p.Seed.ToString(CultureInfo.InvariantCulture)),
            ("methods", List(p.Methods, m => m.Id())),
            ("kinds", List(p.Spaces, k => k.Id())),
            ("ig", p.Ig.Id()),
            ("direction", p.Attribution.Direction.Id()),
            ("per-position", p.Attribution.PerPosition ? "yes" : "no"),
            ("neurons", p.Neurons.Id()),
            ("sweep", List(p.SweepScales, Number)),
            ("sweep-kinds", List(p.SweepSpaces, k => k.Id())),
            ("batch-size", p.BatchSize.ToString(CultureInfo.InvariantCulture)),
            ("prefix-grouping", p.GroupByPrefix ? "on" : "off"),
            ("top", Number(p.TopFraction)),
            ("task-options", TaskOptions.Id()),
        ];
        // Only when it runs, so the fingerprint of a study without verification is what it always was.
        if (Verification.Runs) identity.Add(("verification", Verification.Id(withSeed: Verification.Seed != p.Seed)));
        if (Structure is { } structure) identity.Add(("structure", "both-directions|" + structure.Id()));
        if (Edges is { } edges) identity.Add(("edges", edges.Id()));
        // The passes beyond the built-in ones, and any with settings of its own: none in a built-in study, whose fingerprint is what it always was.
        if (Passes.Where(pass => !StudyPasses.BuiltIn.Contains(pass) || pass.Fingerprint(this).Length > 0).ToList() is [_, ..] ownPasses)
            identity.Add(("passes", string.Join(";", ownPasses.Select(pass => pass.Fingerprint(this) is { Length: > 0 } own ? $"{pass.Id}:{own}" : pass.Id))));
        // Methods bound with their own settings (none of the built-in ones): each kind's fingerprint text, so two studies that differ there are told apart.
        if (p.Methods.Any(m => m.OwnSettings is not null))
            identity.Add(("method-settings", string.Join(";", p.Methods.Where(m => m.OwnSettings is not null)
                .Select(m => $"{m.Id()}:{string.Join(",", p.Spaces.Where(m.Spaces.Contains).Select(k => m.Fingerprint(p.MethodSettings, k)))}"))));
        return identity;
    }
}
