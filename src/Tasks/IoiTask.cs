
namespace Concord.Tasks;

/// <summary>Indirect object identification (Wang et al. 2023): logit(IO) − logit(S).</summary>
public sealed class IoiTask : CircuitTask
{
    public static TaskDescriptor Descriptor { get; } = TaskDescriptor.Shipped("ioi", "IOI", _ => new IoiTask(), TaskKind.Ioi);

    public override IReadOnlyList<string> RequiredColumns => ["clean", "corrupted", "corrupted_hard", "correct_idx", "incorrect_idx"];
    public override MetricReadout NaturalReadout => MetricReadout.LogitDifference;

    public override TaskExample Parse(CsvRow row, TaskOptions options)
    {
        int correct = CheckToken(row, "correct_idx", row.Int("correct_idx")), incorrect = CheckToken(row, "incorrect_idx", row.Int("incorrect_idx"));
        // logit(IO) − logit(S) of one token is 0 whatever the model does: every method would score nothing.
        if (correct == incorrect) throw row.Error("incorrect_idx", $"is the same token as correct_idx ({correct}); the metric would be 0 on every input");
        return new(row.Row, row.Text("clean"), row.Text(options.IoiCorruption == IoiCorruption.IndirectObject ? "corrupted_hard" : "corrupted"), [correct], [incorrect]);
    }
}
