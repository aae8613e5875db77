using Concord.Model;

namespace Concord.Tasks;

/// <summary>
/// A task's CSV schema, row parser and metric. Every task reduces to "answer tokens to contrast at
/// the last position", so one metric (<see cref="TaskMetric"/>) serves all six and a user's own; a
/// <see cref="TaskDescriptor"/> names the task and says where its data is. The definitions and the
/// CSV reader share the tasks' namespace: a descriptor lists the built-in definitions and every
/// definition parses rows into the tasks' own types, so in namespaces of their own they named each other.
/// </summary>
public abstract class CircuitTask
{
    public abstract IReadOnlyList<string> RequiredColumns { get; }
    /// <summary>The metric as the literature defines it for this task.</summary>
    public abstract MetricReadout NaturalReadout { get; }
    public abstract TaskExample Parse(CsvRow row, TaskOptions options);

    public MetricReadout Readout(TaskOptions options) =>
        options.LogitVariant ? MetricReadout.LogitDifference : NaturalReadout;

    protected static int CheckToken(CsvRow row, string column, int id) =>
        id is >= 0 and < Gpt2Tokenizer.VocabularySize ? id : throw row.Error(column, $"token id {id} is outside GPT-2's vocabulary");
}
