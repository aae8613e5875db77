using Concord.Tasks.Csv;

namespace Concord.Tasks.Definitions;

/// <summary>Hypernymy: Σ p(clean answers) − Σ p(corrupted answers), answer lists given per row.</summary>
public sealed class HypernymyTask : CircuitTask
{
    public override TaskKind Kind => TaskKind.Hypernymy;
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
        return new(row.Row, row.Text("clean"), row.Text("corrupted"), answers, corrupted);
    }
}
