using Concord.Model;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>report.md at the study's end (<see cref="Report"/>); it links the files the other exporters wrote, so it goes last.</summary>
public sealed class MarkdownReportExporter : StudyFileExporter
{
    public override void StudyFinished(StudyExport export, StudyOutcome result) =>
        AtomicFile.WriteAllText(Path.Combine(export.Output.Folder, Report.FileName),
            Report.Text(export.Study, export.Output, result, export.Wall, DateTime.UtcNow));
}
