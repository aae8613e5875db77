using Concord.Methods.Pipeline;
using Concord.Tasks;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>Each task's PNG plots: heatmaps, scatters, MLP bars and the sweep (<see cref="Plots"/>), the verification's, the structure's and IG's path.</summary>
public sealed class PlotExporter : TaskExporter
{
    protected override void Write(StudyExport export, TaskOutcome task, TaskAnalysis analysis, string folder)
    {
        var study = export.Study;
        string title = $"{task.Task.Kind.Id()} on {study.ResolvedModel.Name}";
        Plots.WriteAll(folder, analysis, study.Options.Pipeline, study.Model.Config, study.ResolvedModel.Name);
        if (task.Verification is { } v) VerificationPlots.WriteAll(folder, v, study.Options.Pipeline.MethodCatalogue, title);
        if (task.Structure is { } st) StructurePlots.WriteAll(folder, st, Headline.Pair(study.Options.Pipeline) is { } pair ? [pair.Second, pair.First] : [], title);
        foreach (var p in IgPaths.Of(analysis, study.Options.Pipeline)) StructurePlots.IgPath(Path.Combine(folder, StructurePlots.PathFile(p.Kind)), p, title);
    }
}
