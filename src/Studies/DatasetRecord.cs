using Concord.Tasks;
using Concord.Tasks.Evaluation;

namespace Concord.Studies;

/// <summary>One task's input as the study used it: the file and its content hash, what was dropped and why.</summary>
public sealed record DatasetRecord(TaskDescriptor Kind, TaskDataset Dataset, string Sha256, IReadOnlyList<(string File, string Sha256)> Auxiliary,
    int Requested, FilteredSample Sample, bool Filtered);
