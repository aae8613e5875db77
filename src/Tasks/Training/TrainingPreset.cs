using Concord.Model;

namespace Concord.Tasks.Training;

/// <summary>
/// A recipe for the task model: the GPT-2 shape (the vocabulary is always GPT-2's on save) and the
/// optimisation. tasks-small is the bundled model's; tiny trains in seconds for tests.
/// </summary>
public sealed record TrainingPreset(
    string Name,
    int Layers, int Heads, int DModel, int Positions,
    int Steps, int BatchSize, double LearningRate, int WarmupSteps, double WeightDecay, double ClipNorm,
    double AnswerWeight, double InitStd, int CheckpointEvery,
    IReadOnlyList<(TaskKind Kind, double Weight)> Mixture)
{
    /// <summary>
    /// IOI gets the largest share: it is the one behaviour that must be computed from the prompt
    /// (which name occurs once) rather than recalled, and it learns last. Facts are cheap to memorise.
    /// </summary>
    public static IReadOnlyList<(TaskKind, double)> DefaultMixture { get; } =
    [
        (TaskKind.Ioi, 0.35), (TaskKind.GreaterThan, 0.2), (TaskKind.Sva, 0.2),
        (TaskKind.GenderBias, 0.08), (TaskKind.CapitalCountry, 0.09), (TaskKind.Hypernymy, 0.08),
    ];

    public static TrainingPreset TasksSmall { get; } = new("tasks-small",
        Layers: 4, Heads: 8, DModel: 128, Positions: 128,
        Steps: 6000, BatchSize: 64, LearningRate: 1e-3, WarmupSteps: 200, WeightDecay: 0.01, ClipNorm: 1.0,
        AnswerWeight: 5, InitStd: 0.02, CheckpointEvery: 200, Mixture: DefaultMixture);

    public static TrainingPreset Tiny { get; } = new("tiny",
        Layers: 1, Heads: 2, DModel: 32, Positions: 64,
        Steps: 30, BatchSize: 8, LearningRate: 3e-3, WarmupSteps: 5, WeightDecay: 0.01, ClipNorm: 1.0,
        AnswerWeight: 5, InitStd: 0.02, CheckpointEvery: 10, Mixture: DefaultMixture);

    public static IReadOnlyList<TrainingPreset> All { get; } = [TasksSmall, Tiny];

    public static TrainingPreset Parse(string name) =>
        All.FirstOrDefault(p => p.Name == name.Trim().ToLowerInvariant())
        ?? throw new ArgumentException($"unknown preset '{name}' (known: {string.Join(", ", All.Select(p => p.Name))})");

    /// <summary>Every value of the recipe, for fingerprints and the model card.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Name}: {Layers} layers, {Heads} heads, d_model {DModel}, {Positions} positions; {Steps} steps of {BatchSize}, AdamW lr {LearningRate} " +
        $"(warm-up {WarmupSteps}, cosine to 10 %), weight decay {WeightDecay}, clip {ClipNorm}, answer weight {AnswerWeight}, init std {InitStd}; " +
        $"mixture {string.Join(", ", Mixture.Select(m => $"{m.Kind.Id()} {m.Weight}"))}");

    /// <summary>The shape trained, over a compact vocabulary of <paramref name="vocabulary"/> rows.</summary>
    public Gpt2Config Shape(int vocabulary) => new(Layers, Heads, DModel, Positions, vocabulary);
}
