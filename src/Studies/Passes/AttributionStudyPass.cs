using Concord.Methods.Pipeline;

namespace Concord.Studies;

/// <summary>Every method on every target space, batch by batch (<see cref="AttributionPipeline"/>): the study's scores.</summary>
public sealed class AttributionStudyPass : IStudyPass
{
    public const string PassId = "attribution";
    public string Id => PassId;
    public IReadOnlyList<UnitFormat> Formats => FileUnitStore.AttributionFormats;
    public int UnitCount(StudyOptions options, int examples) => options.Pipeline.UnitCount(examples);

    public IPassOutcome? Run(PassRun run) =>
        new AttributionPipeline(run.Study.Model, run.Study.ModelFingerprint, run.Study.Options.Pipeline, run.Store)
            .Run(run.Task.Dataset, run.Task.DataFingerprint, run.Task.Examples, run.Study.Resources.Tokenizer, run.Selection, run.FirstUnit, run.Progress, run.Cancel);
}
