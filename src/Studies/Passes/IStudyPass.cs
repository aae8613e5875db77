// The passes are the study's own vocabulary: they live in this folder but in the Concord.Studies namespace, since a pass is given the Study and the study runs the list (a namespace of their own would be a cycle, which NamespaceCycleTests refuses).
using Concord.Methods.Pipeline;

namespace Concord.Studies;

/// <summary>
/// One pass of a study over each task (the attribution, the opposite direction, the verification,
/// the interactions, the edges): how many units it numbers, the formats its unit files are written
/// in, and how it computes or loads its units of one task. <see cref="StudyPasses.BuiltIn"/> lists
/// them in the order their units are numbered; a study runs the list it is given
/// (<see cref="StudyOptions.Passes"/>), sums the outcomes in one place and keeps each under the
/// pass's id, so adding a pass is its class and its place in a list. A pass of a user's own carries
/// its settings itself (given to its constructor) and names them in <see cref="Fingerprint"/>.
/// </summary>
public interface IStudyPass
{
    /// <summary>The pass's stable id: its outcome's key in <see cref="TaskOutcome.Passes"/>.</summary>
    string Id { get; }

    /// <summary>What its cost lines add to the unit names (the opposite direction's units share the attribution's names).</summary>
    string CostSuffix(StudyOptions options) => "";

    /// <summary>Its own settings that change a number, as stable text for the study's identity; "" when it has none or reads only the study's options.</summary>
    string Fingerprint(StudyOptions options) => "";

    /// <summary>The formats of its unit files (the store names no pass).</summary>
    IReadOnlyList<UnitFormat> Formats { get; }

    /// <summary>How many units it numbers for a task of <paramref name="examples"/> prompts; 0 when the options leave it out.</summary>
    int UnitCount(StudyOptions options, int examples);

    /// <summary>Its units of one task, read from the store or computed as the selection says; null when it does not run here (left out, a shard's turn, inputs incomplete).</summary>
    IPassOutcome? Run(PassRun run);
}

/// <summary>What a pass is given for one task: the study, the task, its store, the selection, where its units' numbers start, and the outcomes of the passes before it.</summary>
public sealed record PassRun(Study Study, StudyTask Task, IUnitStore Store, UnitSelection Selection, int FirstUnit,
    IReadOnlyDictionary<string, IPassOutcome> Earlier, IProgress<PipelineProgress>? Progress, CancellationToken Cancel)
{
    /// <summary>An earlier pass's result when all of its units are there; null otherwise.</summary>
    public TResult? Result<TResult>(string passId) where TResult : class => Earlier.ResultOf<TResult>(passId);

    /// <summary>
    /// Which units a pass that needs every attribution unit computes: a shard none (only a merge is
    /// sure to see them all, and otherwise computes nothing), a merge all of its own, otherwise the selection.
    /// </summary>
    public UnitSelection? AfterAttribution => Selection is Shard ? null : Selection == UnitSelection.Merge ? UnitSelection.All : Selection;
}
