
namespace Concord.Tasks;

/// <summary>Hypernymy: Σ p(clean answers) − Σ p(corrupted answers), answer lists given per row.</summary>
public sealed class HypernymyTask(Model.Gpt2Tokenizer tokenizer) : CircuitTask
{
    /// <summary>The study keeps a prompt only when its probability difference reaches <see cref="TaskDescriptor.HypernymyThreshold"/>.</summary>
    public static TaskDescriptor Descriptor { get; } = TaskDescriptor.Shipped("hypernymy", "hypernymy", r => new HypernymyTask(r.Tokenizer), TaskKind.Hypernymy,
        metric => metric >= TaskDescriptor.HypernymyThreshold, FormattableString.Invariant($"clean metric ≥ {TaskDescriptor.HypernymyThreshold} (the study's hypernymy filter)"));

    public override IReadOnlyList<string> RequiredColumns => ["clean", "answers", "answers_idx", "corrupted", "corrupted_answers", "corrupted_answers_idx"];
    public override MetricReadout NaturalReadout => MetricReadout.ProbabilityDifference;

    public override TaskExample Parse(CsvRow row, TaskOptions options)
    {
        var answers = row.IntList("answers_idx");
        var corrupted = row.IntList("corrupted_answers_idx");
        if (row.StringList("answers").Length != answers.Length) throw row.Error("answers_idx", "has a different number of entries than 'answers'");
        if (row.StringList("corrupted_answers").Length != corrupted.Length) throw row.Error("corrupted_answers_idx", "has a different number of entries than 'corrupted_answers'");
        foreach (var id in answers) CheckToken(row, "answers_idx", id);
        foreach (var id in corrupted) CheckToken(row, "corrupted_answers_idx", id);
        CheckIdsAreTheAnswers(row, "answers", "answers_idx", answers);
        CheckIdsAreTheAnswers(row, "corrupted_answers", "corrupted_answers_idx", corrupted);
        // Σ p(A) − Σ p(A) is 0 whatever the model does: the row measures nothing.
        if (answers.Order().SequenceEqual(corrupted.Order()))
            throw row.Error("corrupted_answers_idx", "holds the same tokens as answers_idx; the metric would be 0 on every input");
        return new(row.Row, row.Text("clean"), row.Text("corrupted"), answers, corrupted);
    }

    /// <summary>Each id is the first token of its answer word, as the prompt continues it (" gems") or bare ("gems").</summary>
    private void CheckIdsAreTheAnswers(CsvRow row, string wordsColumn, string idsColumn, int[] ids)
    {
        var words = row.StringList(wordsColumn);
        for (int i = 0; i < ids.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(words[i])) throw row.Error(wordsColumn, $"entry {i + 1} is empty");
            int spaced = tokenizer.Encode(" " + words[i], prependBos: false)[0], bare = tokenizer.Encode(words[i].Trim(), prependBos: false)[0];
            if (ids[i] != spaced && ids[i] != bare)
                throw row.Error(idsColumn, $"entry {i + 1} is token {ids[i]}, but '{words[i]}' in {wordsColumn} is token {spaced} (' {words[i]}')");
        }
    }
}
