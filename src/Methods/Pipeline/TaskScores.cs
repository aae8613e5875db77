using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Results;

namespace Concord.Methods.Pipeline;

/// <summary>One method's scores of one kind over a whole task: the batches' score sets one under another.</summary>
public static class TaskScores
{
    /// <summary>
    /// The components <paramref name="method"/> scored in every batch, in the first batch's order
    /// (per position, a batch of shorter prompts has fewer positions: only what every batch scored).
    /// </summary>
    public static IReadOnlyList<Target> Common(TaskResult result, Method method, TargetSpace kind)
    {
        var everywhere = result.Batches.Skip(1).Aggregate(result.Batches[0].Scores(method, kind)!.Targets.ToHashSet(),
            (set, b) => { set.IntersectWith(b.Scores(method, kind)!.Targets); return set; });
        return result.Batches[0].Scores(method, kind)!.Targets.Where(everywhere.Contains).ToList();
    }

    /// <summary>Whether every batch of the task has <paramref name="method"/>'s scores of <paramref name="kind"/>.</summary>
    public static bool Has(TaskResult result, Method method, TargetSpace kind) => result.Batches.All(b => b.Scores(method, kind) is not null);

    /// <summary>Every prompt of the task (batch order) against <paramref name="components"/>.</summary>
    public static ScoreSet Stacked(TaskResult result, Method method, TargetSpace kind, IReadOnlyList<Target> components)
    {
        var parts = result.Batches.Select(b => b.Scores(method, kind)!.Select(components)).ToList();
        var values = new double[parts.Sum(p => p.Prompts), components.Count];
        int row = 0;
        foreach (var part in parts)
            for (int p = 0; p < part.Prompts; p++, row++)
                for (int c = 0; c < components.Count; c++) values[row, c] = part[p, c];
        return new ScoreSet(method.Id(), components, values);
    }

    /// <summary>Where each batch's first prompt sits among the task's prompts.</summary>
    public static int[] Offsets(TaskResult result)
    {
        var offsets = new int[result.Batches.Count];
        for (int b = 1; b < offsets.Length; b++) offsets[b] = offsets[b - 1] + result.Batches[b - 1].Rows.Length;
        return offsets;
    }
}
