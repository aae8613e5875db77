namespace Concord.Methods.Pipeline;

/// <summary>
/// What one pass of the pipeline over a task did: the task's result when every unit is in the store
/// (null otherwise), the units still missing that this process does not compute, and counts.
/// </summary>
public sealed record PipelineOutcome(TaskResult? Result, IReadOnlyList<MissingUnit> Missing, int ComputedUnits, int ReusedUnits);
