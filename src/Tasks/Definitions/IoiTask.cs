using Concord.Tasks.Csv;

namespace Concord.Tasks.Definitions;

/// <summary>Indirect object identification (Wang et al. 2023): logit(IO) − logit(S).</summary>
public sealed class IoiTask : CircuitTask
{
    public override TaskKind Kind => TaskKind.Ioi;
    public override IReadOnlyList<string> RequiredColumns => ["clean", "corrupted", "corrupted_hard", "correct_idx", "incorrect_idx"];
    public override MetricReadout NaturalReadout => MetricReadout.LogitDifference;

    public override TaskExample Parse(CsvRow row, TaskOptions options) => new(
        row.Row,
        row.Text("clean"),
        row.Text(options.IoiCorruption == IoiCorruption.IndirectObject ? "corrupted_hard" : "corrupted"),
        [CheckToken(row, "correct_idx", row.Int("correct_idx"))],
        [CheckToken(row, "incorrect_idx", row.Int("incorrect_idx"))]);
}
