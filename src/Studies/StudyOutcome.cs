using Concord.Methods;
using Concord.Methods.Pipeline;
using Concord.Tasks;

namespace Concord.Studies;

/// <summary>One task of a study: its input, and its analysis when every unit of it is in the store.</summary>
/// <param name="Rejected">Stored units found unusable (damaged, edited), one line each; they were recomputed or count as missing.</param>
public sealed record TaskOutcome(StudyTask Task, TaskAnalysis? Analysis, int ComputedUnits, int ReusedUnits, TimeSpan Time, IReadOnlyList<string> Rejected)
{
    /// <summary>What this pass's computed units cost, by unit name.</summary>
    public IReadOnlyDictionary<string, UnitCost> Costs { get; init; } = new Dictionary<string, UnitCost>();
    /// <summary>What each pass that ran did, by its id (<see cref="IStudyPass.Id"/>).</summary>
    public IReadOnlyDictionary<string, IPassOutcome> Passes { get; init; } = new Dictionary<string, IPassOutcome>();

    /// <summary>A pass's result when every unit of it is in the store; null when it did not run or units are missing.</summary>
    public TResult? ResultOf<TResult>(string passId) where TResult : class => Passes.ResultOf<TResult>(passId);

    /// <summary>The opposite direction's analysis, when both directions were asked for and every unit of it is in the store.</summary>
    public TaskAnalysis? Opposite { get; init; }
    /// <summary>The verification by intervention, when it was asked for and every unit of it is in the store.</summary>
    public Methods.Verification.TaskVerification? Verification => ResultOf<Methods.Verification.TaskVerification>(VerificationStudyPass.PassId);
    /// <summary>The AND / OR structure, when both directions were asked for and every unit of it is in the store.</summary>
    public Methods.Structure.TaskStructure? Structure => ResultOf<Methods.Structure.TaskStructure>(StructureStudyPass.PassId);
    /// <summary>The edge scores, when edges were asked for and every unit of them is in the store.</summary>
    public Methods.Edges.TaskEdges? Edges => ResultOf<Methods.Edges.TaskEdges>(EdgeStudyPass.PassId);
}

/// <summary>
/// What a study's pass did: every task's outcome, and the units neither stored nor computed by this
/// process (a shard's or a merge's gaps). <see cref="IsComplete"/> when every task has its analysis.
/// </summary>
public sealed record StudyOutcome(IReadOnlyList<TaskOutcome> Tasks, IReadOnlyList<MissingUnit> Missing, int UnitCount)
{
    public bool IsComplete => Missing.Count == 0 && Tasks.All(t => t.Analysis is not null);
}
