namespace Concord.Tasks.Training;

/// <summary>
/// One drawn instance of a task: the prompts, the training continuation (an answer drawn from the
/// rewarded ones: " Mary", " she", "76", " are", " Albania", " gems") and the metric's answer ids in
/// GPT-2's vocabulary. <see cref="Corrupted"/> is null for fact tasks, whose evaluation rows come
/// from the dataset files (their corruptions need partners of equal token length).
/// </summary>
public sealed record TaskSample(TaskKind Kind, string Clean, string? Corrupted, string Continuation, int[] Positive, int[] Negative, string? Group = null)
{
    public TaskExample ToExample(int row) =>
        new(row, Clean, Corrupted ?? throw new InvalidOperationException($"{Kind.Id()} samples carry no corrupted prompt"), Positive, Negative, Group);
}
