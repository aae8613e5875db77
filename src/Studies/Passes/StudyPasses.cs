namespace Concord.Studies;

/// <summary>
/// The passes a study runs by default (<see cref="StudyOptions.Passes"/>), in the order their units
/// are numbered (never reorder: unit numbers, shards and resumed runs depend on it). A pass left out
/// by the options numbers no unit, so each runs only when asked for. A user's pass goes after them:
/// <c>options with { Passes = [.. StudyPasses.BuiltIn, new MyPass(settings)] }</c>.
/// </summary>
public static class StudyPasses
{
    public static IReadOnlyList<IStudyPass> BuiltIn { get; } =
        [new AttributionStudyPass(), new OppositeDirectionStudyPass(), new VerificationStudyPass(), new StructureStudyPass(), new EdgeStudyPass()];
}
