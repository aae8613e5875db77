using Concord.Methods.Attribution;
using Concord.Methods.Pipeline;

namespace Concord.Studies;

/// <summary>The attribution in the opposite direction (both directions asked for): its own units, whose keys carry the direction, so a run in one direction is reused.</summary>
public sealed class OppositeDirectionStudyPass : IStudyPass
{
    public const string PassId = "opposite";
    public string Id => PassId;
    public string CostSuffix(StudyOptions options) => $" ({options.Opposite?.Attribution.Direction.Id()})";
    public IReadOnlyList<UnitFormat> Formats => [];
    public int UnitCount(StudyOptions options, int examples) => options.Opposite?.UnitCount(examples) ?? 0;

    public IPassOutcome? Run(PassRun run) => run.Study.Options.Opposite is { } opposite
        ? new AttributionPipeline(run.Study.Model, run.Study.ModelFingerprint, opposite, run.Store)
            .Run(run.Task.Dataset, run.Task.DataFingerprint, run.Task.Examples, run.Study.Resources.Tokenizer, run.Selection, run.FirstUnit, run.Progress, run.Cancel)
        : null;
}
