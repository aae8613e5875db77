using Concord.Tasks;

namespace Concord.Methods.Pipeline;

/// <summary>A unit a merge needs but the store does not hold: its run-wide index, task, name and the batch's dataset rows.</summary>
public sealed record MissingUnit(int Index, TaskDescriptor Task, string Unit, IReadOnlyList<int> Rows);
