namespace Concord.Tasks.Evaluation;

/// <summary>
/// How well a model performs one task on a set of prompts: the share whose clean metric is &gt; 0
/// (the model prefers the clean answer), the share where the corruption lowers the metric, and the
/// mean clean and corrupted metric (logit or probability difference, per the task).
/// </summary>
public sealed record TaskScore(TaskKind Kind, string Source, int Prompts, double CleanPositive, double CorruptionLowers,
    double MeanClean, double MeanCorrupted)
{
    /// <summary>The summary of per-prompt metrics (equal lengths, at least one prompt).</summary>
    public static TaskScore Of(TaskKind kind, string source, IReadOnlyList<double> clean, IReadOnlyList<double> corrupted)
    {
        if (clean.Count == 0 || clean.Count != corrupted.Count)
            throw new ArgumentException($"need equally many clean and corrupted metrics, at least one (got {clean.Count} and {corrupted.Count})");
        foreach (var v in clean.Concat(corrupted))
            if (!double.IsFinite(v)) throw new InvalidOperationException($"{kind.Id()}: the model produced a non-finite metric ({v})");
        int n = clean.Count;
        return new TaskScore(kind, source, n,
            clean.Count(c => c > 0) / (double)n,
            clean.Zip(corrupted).Count(p => p.Second < p.First) / (double)n,
            clean.Average(), corrupted.Average());
    }
}
