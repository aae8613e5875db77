
namespace Concord.Tasks;

/// <summary>Capital–country (Hanna et al. 2024): logit(country) − logit(corrupted country).</summary>
public sealed class CapitalCountryTask : CircuitTask
{
    public static TaskDescriptor Descriptor { get; } = TaskDescriptor.Shipped("capital-country", "capital–country", _ => new CapitalCountryTask(), TaskKind.CapitalCountry);

    public override IReadOnlyList<string> RequiredColumns =>
        ["clean", "capital", "country", "country_idx", "corrupted", "corrupted_capital", "corrupted_country", "corrupted_country_idx"];
    public override MetricReadout NaturalReadout => MetricReadout.LogitDifference;

    public override TaskExample Parse(CsvRow row, TaskOptions options) => new(
        row.Row, row.Text("clean"), row.Text("corrupted"),
        [CheckToken(row, "country_idx", row.Int("country_idx"))],
        [CheckToken(row, "corrupted_country_idx", row.Int("corrupted_country_idx"))],
        row.Text("country"));
}
