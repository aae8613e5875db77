using Concord.Tasks;

namespace Concord.Methods.Pipeline;

/// <summary>A task's batches, and how many units were computed and how many reused from the store.</summary>
public sealed record TaskResult(TaskDescriptor Task, IReadOnlyList<BatchResult> Batches, int ComputedUnits, int ReusedUnits);
