using Concord.Methods.Pipeline;
using Concord.Studies;
using Concord.Tasks;

namespace Concord.Studies.Outputs;

/// <summary>
/// One kind of output of a study (BenchmarkDotNet's IExporter is the model): told of each task when
/// all of its units are there, and of the whole study at its end. The caller picks the list
/// (<see cref="StudyExporters.All"/> is what `concord run` writes); a shard is told of nothing, a
/// merge of every task once every unit is there.
/// </summary>
public interface IStudyExporter
{
    /// <summary>A task whose units are all there (its <see cref="TaskOutcome.Analysis"/> is set).</summary>
    void TaskFinished(StudyExport export, TaskOutcome task);

    /// <summary>The study, after every task was told of (in the exporters' order).</summary>
    void StudyFinished(StudyExport export, StudyOutcome result);
}

/// <summary>An exporter that writes per task only, into the task's folder (created on the way).</summary>
public abstract class TaskExporter : IStudyExporter
{
    public void TaskFinished(StudyExport export, TaskOutcome task)
    {
        var analysis = task.Analysis ?? throw new ArgumentException($"{task.Task.Kind.Id()} is not complete", nameof(task));
        Write(export, task, analysis, Directory.CreateDirectory(export.TaskFolder(task)).FullName);
    }

    /// <summary>Writes the task's files into <paramref name="folder"/>.</summary>
    protected abstract void Write(StudyExport export, TaskOutcome task, TaskAnalysis analysis, string folder);

    public void StudyFinished(StudyExport export, StudyOutcome result) { }
}

/// <summary>An exporter that writes once, for the whole study.</summary>
public abstract class StudyFileExporter : IStudyExporter
{
    public void TaskFinished(StudyExport export, TaskOutcome task) { }

    public abstract void StudyFinished(StudyExport export, StudyOutcome result);
}
