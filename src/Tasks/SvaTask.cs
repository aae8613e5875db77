
namespace Concord.Tasks;

/// <summary>
/// Subject–verb agreement (Newman et al. 2021): P(verbs agreeing with the clean subject) −
/// P(the other verbs), over verb pairs whose singular and plural forms are both single tokens.
/// </summary>
public sealed class SvaTask(SvaVerbs verbs) : CircuitTask
{
    /// <summary>Its verb list changes its metric, so its content is in the data's fingerprint.</summary>
    public static TaskDescriptor Descriptor { get; } = TaskDescriptor.Shipped("sva", "subject–verb agreement", r => new SvaTask(r.Verbs), TaskKind.Sva,
        auxiliaryFiles: r => [r.SvaVerbsFile]);

    public override IReadOnlyList<string> RequiredColumns => ["clean", "corrupted", "group", "plural"];
    public override MetricReadout NaturalReadout => MetricReadout.ProbabilityDifference;

    public override TaskExample Parse(CsvRow row, TaskOptions options)
    {
        int plural = row.Int("plural");
        if (plural is not (0 or 1)) throw row.Error("plural", $"{plural} is not 0 (singular subject) or 1 (plural subject)");
        return new(row.Row, row.Text("clean"), row.Text("corrupted"),
            plural == 1 ? verbs.PluralIds : verbs.SingularIds,
            plural == 1 ? verbs.SingularIds : verbs.PluralIds,
            row.Text("group"));
    }
}
