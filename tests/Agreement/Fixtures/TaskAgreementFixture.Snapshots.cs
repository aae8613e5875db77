using System.Globalization;
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Tasks;
using NUnit.Framework;
using Snapshooter;
using Snapshooter.NUnit;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>
/// Pinned tables, reviewed as snapshot diffs. Scores are rounded to 6 significant digits and
/// statistics to 4 decimals: float64 results differ across x64 CPUs only around 1e-13 relative, far
/// below either rounding. A missing snapshot fails under SNAPSHOOTER_STRICT_MODE=true (set in CI).
/// </summary>
public abstract partial class TaskAgreementFixture
{
    private string Name(string table) => $"{Task.Id()}.{table}";

    [Test]
    public void ScoreTableMatchesSnapshot()
    {
        // By dataset row: which prompts share a batch (PrefixGrouping) is not part of the result.
        var lines = Analysis.Result.Batches
            .SelectMany(batch => batch.Rows.Select((row, i) => (Row: row, Base: batch.Metrics.Base[i], Other: batch.Metrics.Other[i])))
            .OrderBy(p => p.Row)
            .Select(p => $"row {p.Row}: clean {Significant(p.Base)}, corrupted {Significant(p.Other)}")
            .ToList();
        foreach (var kind in Options.Kinds)
        {
            var ig = Analysis.MeanScores(Method.Ig, kind);
            var ap = Analysis.MeanScores(Method.Ap, kind);
            var atp = Analysis.MeanScores(Method.Atp, kind);
            // AP covers the neuron subset only; the table lists what all three methods scored.
            foreach (var c in ap.Keys.OrderBy(c => c.Layer).ThenBy(c => c.Index))
                lines.Add($"{c.Label,-8} ig {Significant(ig[c]),13} ap {Significant(ap[c]),13} atp {Significant(atp[c]),13}");
        }
        Snapshot.Match(lines, Name("scores"));
    }

    [Test]
    public void AgreementTableMatchesSnapshot()
    {
        var lines = new List<string>();
        foreach (var pair in Analysis.Agreements)
        {
            string Stat(Func<AgreementSummaries, Summary> s) => s(pair.AcrossPrompts) is { Defined: > 0 } v ? $"{v.Median.ToString("F4", CultureInfo.InvariantCulture)}/{v.Mean.ToString("F4", CultureInfo.InvariantCulture)}" : "undefined";
            lines.Add($"{pair.Kind.Id(),-7} {pair.Label,-7} median/mean r {Stat(s => s.Pearson)} rho {Stat(s => s.Spearman)} tau {Stat(s => s.Kendall)} " +
                      $"jaccard {Stat(s => s.Jaccard)} sign {Stat(s => s.Sign)} pooled r {Fixed(pair.Pooled.Pearson)}");
        }
        foreach (var s in Analysis.Sweep)
            lines.Add($"sweep {s.Kind.Id(),-7} s={s.Scale.ToString(CultureInfo.InvariantCulture),-5} median r IG-AP {Median(s.IgAp)} AP-sAtP {Median(s.ApAtp)} IG-sAtP {Median(s.IgAtp)}");
        Snapshot.Match(lines, Name("agreement"));
    }

    private static string Median(PairAgreement p) =>
        p.AcrossPrompts.Pearson is { Defined: > 0 } v ? v.Median.ToString("F4", CultureInfo.InvariantCulture) : "undefined";

    private static string Fixed(Statistic s) => s.IsDefined ? s.Value.ToString("F4", CultureInfo.InvariantCulture) : "undefined";

    /// <summary>6 significant digits, invariant culture, no negative zero.</summary>
    private static string Significant(double v)
    {
        var rounded = double.Parse(v.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (rounded == 0 ? 0.0 : rounded).ToString("G6", CultureInfo.InvariantCulture);
    }
}
