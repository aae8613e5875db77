using Concord.Tasks;

namespace Concord.Studies;

/// <summary>A task as planned: its data, the rows used, its data fingerprint, and where its units sit in the study's numbering.</summary>
public sealed record StudyTask(TaskDescriptor Kind, TaskDataset Dataset, DatasetRecord Record, string DataFingerprint, int FirstUnit, int UnitCount)
{
    public IReadOnlyList<TaskExample> Examples => Record.Sample.Kept;
}
