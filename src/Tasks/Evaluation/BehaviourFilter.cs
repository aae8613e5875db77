using Concord.Model;

namespace Concord.Tasks.Evaluation;

/// <summary>A row the behaviour filter left out, with the model's clean metric on it.</summary>
public sealed record FilteredRow(int Row, double CleanMetric);

/// <summary>The prompts a run analyses and the ones the behaviour filter dropped on the way.</summary>
public sealed record FilteredSample(IReadOnlyList<TaskExample> Kept, IReadOnlyList<FilteredRow> Dropped, string Rule);

/// <summary>
/// Attribution explains a behaviour only on prompts where the model shows it: keep a prompt when
/// its clean metric shows the model preferring the clean answer (metric &gt; 0), and for hypernymy
/// when it reaches the study's 0.1 probability difference. The seeded sample is drawn as before,
/// walking the same random order and skipping failing prompts until enough are kept; when the
/// model solves every prompt, the sample is exactly the unfiltered one.
/// </summary>
public static class BehaviourFilter
{
    /// <summary>Whether a prompt of the task with this clean metric shows the behaviour (the task's own rule, <see cref="TaskDescriptor.ShowsBehaviour"/>).</summary>
    public static bool Passes(TaskDescriptor task, double cleanMetric) => task.ShowsBehaviour(cleanMetric);

    /// <summary>The task's rule in words.</summary>
    public static string Rule(TaskDescriptor task) => task.BehaviourRule;

    public static FilteredSample Sample(HookedGpt2 model, TaskDataset dataset, Gpt2Tokenizer tokenizer, int count, int seed,
        int batchSize = 32, CancellationToken cancel = default)
    {
        var kept = new List<TaskExample>();
        var dropped = new List<FilteredRow>();
        var order = TaskDataset.SampleOrder(dataset.Examples, seed).ToList();
        // Each round evaluates as many prompts as are still missing, so a model that solves them all costs one pass over the sample.
        for (int next = 0; next < order.Count && kept.Count < count;)
        {
            var round = order.Skip(next).Take(Math.Min(batchSize, count - kept.Count)).ToList();
            next += round.Count;
            var clean = TaskEvaluation.CleanMetrics(model, round, dataset.Readout, tokenizer, batchSize, cancel);
            for (int i = 0; i < round.Count; i++)
            {
                if (!double.IsFinite(clean[i]))
                {
                    using var tokens = TokenBatch.FromIds([tokenizer.Encode(round[i].Clean)], model.Device);
                    string where = NonFiniteActivations.FirstHook(model, tokens.Tokens) is { } hook ? $"the model's activations at {hook} are NaN or infinite" : "NaN or infinite logits";
                    throw new InvalidDataException($"{dataset.File}: row {round[i].Row}: the {dataset.Kind.Id()} metric is {clean[i]} ({where}; check the model weights)");
                }
                if (Passes(dataset.Kind, clean[i])) kept.Add(round[i]);
                else dropped.Add(new FilteredRow(round[i].Row, clean[i]));
            }
        }
        return new FilteredSample(kept.OrderBy(e => e.Row).ToList(), dropped, Rule(dataset.Kind));
    }
}
