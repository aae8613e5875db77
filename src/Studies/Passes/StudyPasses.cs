namespace Concord.Studies;

/// <summary>The passes every study runs, in the order their units are numbered (never reorder: unit numbers, shards and resumed runs depend on it).</summary>
public static class StudyPasses
{
    public static IReadOnlyList<IStudyPass> BuiltIn { get; } =
        [new AttributionStudyPass(), new OppositeDirectionStudyPass(), new VerificationStudyPass(), new StructureStudyPass(), new EdgeStudyPass()];
}
