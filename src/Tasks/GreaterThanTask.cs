
namespace Concord.Tasks;

/// <summary>
/// Greater-than (Hanna et al. 2023): Σ p(YY' &gt; YY) − Σ p(YY' ≤ YY) over the two-digit tokens
/// "00".."99". YY itself counts as "not greater".
/// </summary>
public sealed class GreaterThanTask(YearTokens years) : CircuitTask
{
    public static TaskDescriptor Descriptor { get; } = TaskDescriptor.Shipped("greater-than", "greater-than", r => new GreaterThanTask(r.YearTokens), TaskKind.GreaterThan);

    public override IReadOnlyList<string> RequiredColumns => ["clean", "corrupted", "correct_idx"];
    public override MetricReadout NaturalReadout => MetricReadout.ProbabilityDifference;

    public override TaskExample Parse(CsvRow row, TaskOptions options)
    {
        int yy = row.Int("correct_idx");
        if (yy is < 0 or > 99) throw row.Error("correct_idx", $"{yy} is not a two-digit year ending (0..99)");
        return new(row.Row, row.Text("clean"), row.Text("corrupted"),
            Enumerable.Range(yy + 1, 99 - yy).Select(y => years[y]).ToArray(),
            Enumerable.Range(0, yy + 1).Select(y => years[y]).ToArray());
    }
}
