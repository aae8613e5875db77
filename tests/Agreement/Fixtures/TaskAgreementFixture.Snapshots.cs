using System.Globalization;
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Tasks;
using NUnit.Framework;
using Snapshooter;
using Snapshooter.NUnit;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>
/// Pinned tables, reviewed as snapshot diffs. Scores are rounded to 6 significant digits and
/// statistics to 4 decimals, and compared within the round-off they carry across x64 CPUs
/// (<see cref="PinnedTable"/>). A missing snapshot fails under SNAPSHOOTER_STRICT_MODE=true (set in CI).
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
        foreach (var kind in Options.Spaces)
        {
            var ig = Analysis.MeanScores(Method.Ig, kind);
            var ap = Analysis.MeanScores(Method.Ap, kind);
            var atp = Analysis.MeanScores(Method.Atp, kind);
            // AP covers the neuron subset only; the table lists what all three methods scored.
            foreach (var c in ap.Keys.OrderBy(c => c.Layer).ThenBy(c => c.Index))
                lines.Add($"{c.Label,-8} ig {Significant(ig[c]),13} ap {Significant(ap[c]),13} atp {Significant(atp[c]),13}");
        }
        PinnedTable.Match(lines, Name("scores"), absolute: ScoreRoundOff, relative: SixDigits);
    }

    [Test]
    public void AgreementTableMatchesSnapshot()
    {
        var lines = new List<string>();
        foreach (var pair in Analysis.Agreements)
        {
            // One column per built-in statistic, named as compact tables name it (r, rho, tau, jaccard, sign).
            string Stat(AgreementStatistic s) => pair.AcrossPrompts[s] is { Defined: > 0 } v ? $"{v.Median.ToString("F4", CultureInfo.InvariantCulture)}/{v.Mean.ToString("F4", CultureInfo.InvariantCulture)}" : "undefined";
            lines.Add($"{pair.Space.Id(),-7} {pair.Label,-7} median/mean " + string.Join(" ", StatisticCatalogue.BuiltIn.Select(s => $"{s.ShortName} {Stat(s)}")) +
                      $" pooled r {Fixed(pair.Pooled.Pearson)}");
        }
        foreach (var s in Analysis.Sweep)
            lines.Add($"sweep {s.Space.Id(),-7} s={s.Scale.ToString(CultureInfo.InvariantCulture),-5} median r IG-AP {Median(s.Pair(Method.Ig, Method.Ap)!)} " +
                      $"AP-sAtP {Median(s.Pair(Method.Atp, Method.Ap)!)} IG-sAtP {Median(s.Pair(Method.Ig, Method.Atp)!)}");
        PinnedTable.Match(lines, Name("agreement"), absolute: FourDecimals, relative: 0);
    }

    /// <summary>
    /// Float64 round-off of a score in metric units across x64 CPUs: an AP score is F(patched) − F(a)
    /// with |F| ≤ about 2, and the two values differ between CPUs by up to 2e-13 here (measured on the
    /// pinned tables); 1e-11 leaves a 50-fold margin and is still 1e-5 of the smallest score worth reading.
    /// </summary>
    private const double ScoreRoundOff = 1e-11;

    /// <summary>One unit in the 6th significant digit: the pinned and the new value are both rounded to 6.</summary>
    private const double SixDigits = 1e-5;

    /// <summary>One unit in the 4th decimal, the statistics' printed precision.</summary>
    private const double FourDecimals = 1.0001e-4;

    private static string Median(PairAgreement p) =>
        p.AcrossPrompts.Pearson is { Defined: > 0 } v ? v.Median.ToString("F4", CultureInfo.InvariantCulture) : "undefined";

    private static string Fixed(StatisticValue s) => s.IsDefined ? s.Value.ToString("F4", CultureInfo.InvariantCulture) : "undefined";

    /// <summary>6 significant digits, invariant culture, no negative zero.</summary>
    private static string Significant(double v)
    {
        var rounded = double.Parse(v.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (rounded == 0 ? 0.0 : rounded).ToString("G6", CultureInfo.InvariantCulture);
    }
}
