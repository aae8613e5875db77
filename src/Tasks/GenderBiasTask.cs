
namespace Concord.Tasks;

/// <summary>Gender bias (Vig et al. 2020): logit(clean pronoun) − logit(other pronoun).</summary>
public sealed class GenderBiasTask : CircuitTask
{
    public static TaskDescriptor Descriptor { get; } = TaskDescriptor.Shipped("gender-bias", "gender bias", _ => new GenderBiasTask(), TaskKind.GenderBias);

    public override IReadOnlyList<string> RequiredColumns => ["clean", "corrupted", "clean_answer_idx", "corrupted_answer_idx", "label"];
    public override MetricReadout NaturalReadout => MetricReadout.LogitDifference;

    public override TaskExample Parse(CsvRow row, TaskOptions options)
    {
        int label = row.Int("label");
        if (label is not (0 or 1)) throw row.Error("label", $"{label} is not 0 (female-stereotyped) or 1 (male-stereotyped)");
        return new(row.Row, row.Text("clean"), row.Text("corrupted"),
            [CheckToken(row, "clean_answer_idx", row.Int("clean_answer_idx"))],
            [CheckToken(row, "corrupted_answer_idx", row.Int("corrupted_answer_idx"))],
            label == 1 ? "male-stereotyped" : "female-stereotyped");
    }
}
