namespace Concord.Tasks.Training;

/// <summary>One report of a training run: where it is, its smoothed loss, and each task's recent accuracy (clean metric &gt; 0 on the training batches).</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate,
    IReadOnlyDictionary<TaskKind, double> Accuracy, TimeSpan Elapsed, string? Event = null)
{
    /// <summary>The run stopped early with its checkpoint saved: a resumed run continues from it.</summary>
    public bool Resumable { get; init; }
}
