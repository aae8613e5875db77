using Concord.Tasks.Evaluation;

namespace Concord.Tasks.Models;

/// <summary>The model a run uses, what it is, and (for a trained task model) how well it does each task.</summary>
public sealed record ResolvedModel(string Name, ModelIdentity Identity, string Description, ModelKind Kind, IReadOnlyList<TaskScore>? Evaluation = null)
{
    public string Folder => Identity.Folder;

    public bool IsRandom => Kind == ModelKind.Random;
}
