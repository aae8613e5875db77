using System.Text.Json;
using Concord.Model;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>run.json at the study's end: the provenance (<see cref="RunRecord"/>) with the end time and where the time went.</summary>
public sealed class RunRecordExporter : StudyFileExporter
{
    public override void StudyFinished(StudyExport export, StudyOutcome result) =>
        AtomicFile.WriteAllText(Path.Combine(export.Output.Folder, RunRecord.FileName),
            RunRecord.WithCosts(export.Provenance(DateTimeOffset.UtcNow), result).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
