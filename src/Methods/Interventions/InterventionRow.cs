using Concord.Methods.Targets;

namespace Concord.Methods.Interventions;

/// <summary>
/// One intervened run: prompt <see cref="Prompt"/> of the batch with every component of
/// <see cref="Set"/> replaced at once. Sets of one kind may span layers; an empty set is the base run.
/// </summary>
public sealed record InterventionRow(int Prompt, IReadOnlyCollection<Target> Set);
