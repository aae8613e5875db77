using Concord.Methods.Pipeline;
using Concord.Methods.Structure;

namespace Concord.Studies;

/// <summary>The AND / OR structure from both directions' attributions and joint interventions; like the verification, computed by a merge, never by a shard.</summary>
public sealed class StructureStudyPass : IStudyPass
{
    public const string PassId = "structure";
    public string Id => PassId;
    public IReadOnlyList<UnitFormat> Formats => [StoredInteraction.Format];
    public int UnitCount(StudyOptions options, int examples) => options.Structure is { } s ? StructurePass.UnitCount(options.Pipeline, s, examples) : 0;

    public IPassOutcome? Run(PassRun run)
    {
        var study = run.Study;
        if (study.Options.Structure is not { } structure || run.AfterAttribution is not { } computes) return null;
        if (run.Result<TaskResult>(AttributionStudyPass.PassId) is not { } noised || run.Result<TaskResult>(OppositeDirectionStudyPass.PassId) is not { } denoised) return null;
        return new StructurePass(study.Model, study.ModelFingerprint, study.Options.Pipeline, structure, run.Store)
            .Run(run.Task.Dataset, run.Task.DataFingerprint, run.Task.Examples, study.Resources.Tokenizer, noised, denoised, computes, run.FirstUnit, run.Progress, run.Cancel);
    }
}
