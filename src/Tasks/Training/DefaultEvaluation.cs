using Concord.Model;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>
/// What `model eval` and `model train` report a task on by default. It lives with training, not
/// with <see cref="TaskEvaluation"/>: for the generalising tasks the set is the held-out side of the
/// training split, and scoring a model should not have to know how one is trained.
/// </summary>
public static class DefaultEvaluation
{
    /// <summary>
    /// The default evaluation set of a task: rows the task model never trained on for the generalising
    /// tasks (held-out IOI templates × name pairs, greater-than years, SVA noun × context), the
    /// project's dataset for the fact tasks; at most <paramref name="count"/>, seeded.
    /// </summary>
    public static (string Source, IReadOnlyList<TaskExample> Examples) Set(TaskKind kind, TaskResources resources, TaskOptions options,
        int count, int seed, HeldOutSplit? split = null)
    {
        var sampler = TaskSampler.For(kind, new WordLists(Path.Combine(resources.DatasetsFolder, "words")), resources, split ?? HeldOutSplit.Default, options);
        if (sampler.Generalises)
        {
            var random = new Random(seed);
            var examples = Enumerable.Range(0, count).Select(i => sampler.Sample(random, SplitSide.HeldOut).ToExample(i)).ToList();
            return ($"held-out {HeldOutDescription(kind)} ({count} drawn, seed {seed})", examples);
        }
        var file = resources.DefaultFile(kind);
        var dataset = TaskDataset.Load(kind, file, resources, options);
        return ($"{Path.GetFileName(file)} (the facts trained on)", dataset.Sample(count, seed));
    }

    /// <summary>A task on its <see cref="Set"/>, with the metric the task options give.</summary>
    public static TaskScore Evaluate(HookedGpt2 model, TaskKind kind, TaskResources resources, TaskOptions options, int count, int seed,
        CancellationToken cancel = default)
    {
        var (source, set) = Set(kind, resources, options, count, seed);
        return TaskEvaluation.Evaluate(model, kind, source, set, TaskDescriptor.Of(kind).Define(resources).Readout(options), resources.Tokenizer, cancel: cancel);
    }

    private static string HeldOutDescription(TaskKind kind) => kind switch
    {
        TaskKind.Ioi => "templates and name pairs",
        TaskKind.GreaterThan => "start years",
        TaskKind.Sva => "noun × distractor combinations",
        _ => "rows",
    };
}
