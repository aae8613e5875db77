namespace Concord.Methods.Pipeline;

/// <summary>Where a batch's work stands when a <see cref="PipelineProgress"/> is reported.</summary>
public enum PipelineStage
{
    /// <summary>Every unit of the batch was found in the store.</summary>
    Reused,
    /// <summary>A unit is being computed (<see cref="PipelineProgress.Current"/> names it).</summary>
    Computing,
    /// <summary>The batch's last unit is done.</summary>
    BatchDone,
}

/// <summary>One progress report of a task's pipeline: units done of the task's total, and what is happening now.</summary>
public sealed record PipelineProgress(string Task, int Done, int Total, string Current, PipelineStage Stage);
