using Concord.Methods.Pipeline;
using Concord.Methods.Verification;

namespace Concord.Studies;

/// <summary>
/// The verification by intervention. Its units need every attribution unit of the task, which only a
/// merge is sure to see: shards leave them, and the merge computes them from the stored attribution
/// (they cost a fraction of it), so which shard computes what stays a fixed function of the options.
/// </summary>
public sealed class VerificationStudyPass : IStudyPass
{
    public const string PassId = "verification";
    public string Id => PassId;
    public IReadOnlyList<UnitFormat> Formats => [StoredVerification.Format];
    public int UnitCount(StudyOptions options, int examples) => VerificationPass.UnitCount(options.Pipeline, options.Verification, examples);

    public IPassOutcome? Run(PassRun run)
    {
        var study = run.Study;
        if (!study.Options.Verification.Runs || run.AfterAttribution is not { } computes) return null;
        // A merge's attribution read every unit: no result means attribution units are missing, and they are listed.
        if (run.Result<TaskResult>(AttributionStudyPass.PassId) is not { } complete) return null;
        return new VerificationPass(study.Model, study.ModelFingerprint, study.Options.Pipeline, study.Options.Verification, run.Store)
            .Run(run.Task.Dataset, run.Task.DataFingerprint, run.Task.Examples, study.Resources.Tokenizer, complete, computes, run.FirstUnit, run.Progress, run.Cancel);
    }
}
