using Concord.Methods.Edges;
using Concord.Methods.Pipeline;

namespace Concord.Studies;

/// <summary>Edge scores and circuits (`--edges`): the attribution's batches, its own units.</summary>
public sealed class EdgeStudyPass : IStudyPass
{
    public const string PassId = "edges";
    public string Id => PassId;
    public IReadOnlyList<UnitFormat> Formats => [StoredEdgeScores.Format, StoredEdgeCircuits.Format];
    public int UnitCount(StudyOptions options, int examples) => EdgePass.UnitCount(options.Pipeline, options.Edges, examples);

    public IPassOutcome? Run(PassRun run) => run.Study.Options.Edges is { } edges
        ? new EdgePass(run.Study.Model, run.Study.ModelFingerprint, run.Study.Options.Pipeline, edges, run.Store)
            .Run(run.Task.Dataset, run.Task.DataFingerprint, run.Task.Examples, run.Study.Resources.Tokenizer, run.Selection, run.FirstUnit, run.Progress, run.Cancel)
        : null;
}
