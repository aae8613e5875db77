using Concord.Methods.Pipeline;
using Concord.Tasks;
using System.Text.Json;
using Concord.Model;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>Each task's agreement.json (<see cref="AgreementJson"/>) with its verification, structure and IG path sections and the run's provenance.</summary>
public sealed class AgreementJsonExporter : TaskExporter
{
    public const string FileName = "agreement.json";

    protected override void Write(StudyExport export, TaskOutcome task, TaskAnalysis analysis, string folder)
    {
        var study = export.Study;
        var agreement = AgreementJson.Build(task.Task.Dataset, analysis, study.Options.Pipeline, study.Model.DType, export.Provenance());
        if (task.Verification is { } verification) agreement["verification"] = VerificationJson.Of(verification);
        if (task.Structure is { } structure) agreement["structure"] = StructureJson.Of(structure, task.Opposite, Headline.Checked(study.Options.Pipeline));
        if (task.Edges is { } edges) agreement["edges"] = EdgeJson.Of(edges, study.Options.Pipeline.TopFraction);
        var paths = IgPaths.Of(analysis, study.Options.Pipeline);
        if (paths.Count > 0) agreement["ig_path"] = StructureJson.Paths(paths);
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), agreement.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
