using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>
/// A table compared with its pinned snapshot number by number, within the tolerance the table's
/// numbers carry across x64 CPUs, and word for word elsewhere. A missing snapshot goes to
/// Snapshooter (created, or a failure under SNAPSHOOTER_STRICT_MODE=true); a snapshot is never
/// rewritten here. Why not exact text: an AP score is the difference of two metric values of order
/// 1, so float64 round-off of about 1e-13 in metric units survives in it, and a score of 3e-7
/// printed to 6 significant digits flips its last digit between CPUs whose SIMD widths sum in
/// another order (measured: greater-than L1N260 3.48586E-07 pinned, 3.48587E-07 on an AMD EPYC;
/// sva L2N249 2.1968E-09 against 2.19661E-09, 2e-13 apart).
/// </summary>
public static class PinnedTable
{
    private static readonly Regex Number = new(@"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", RegexOptions.Compiled);

    /// <param name="absolute">The absolute tolerance of the table's numbers (their float64 round-off across CPUs).</param>
    /// <param name="relative">The relative tolerance: one unit of the last printed digit, as both sides are rounded.</param>
    public static void Match(IReadOnlyList<string> lines, string name, double absolute, double relative, [CallerFilePath] string caller = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(caller)!, "__snapshots__", name + ".snap");
        if (!File.Exists(path))
        {
            // As Snapshooter does, written here: its caller lookup fails from a helper of partial fixture classes.
            Assert.That(Environment.GetEnvironmentVariable("SNAPSHOOTER_STRICT_MODE"), Is.Not.EqualTo("true").IgnoreCase,
                $"{path} is missing and strict mode is on: run the test once without SNAPSHOOTER_STRICT_MODE, review the new file and commit it");
            Write(path, lines);
            TestContext.Out.WriteLine($"pinned a new table: {path} (review it and commit it)");
            return;
        }
        var pinned = JsonSerializer.Deserialize<string[]>(File.ReadAllText(path).TrimStart('\uFEFF'))
                     ?? throw new InvalidDataException($"{path}: not a snapshot of lines");
        var problems = new List<string>();
        if (pinned.Length != lines.Count) problems.Add($"{lines.Count} lines, {pinned.Length} pinned");
        for (int i = 0; i < Math.Min(pinned.Length, lines.Count); i++)
            if (Differs(pinned[i], lines[i], absolute, relative) is { } why)
                problems.Add($"line {i + 1}: {why}\n  pinned: {pinned[i]}\n  now:    {lines[i]}");
        if (problems.Count > 0)
        {
            // Where Snapshooter would put it, so README's review flow (concord diff, then move it over) works the same.
            Write(Path.Combine(Path.GetDirectoryName(path)!, "__mismatch__", name + ".snap"), lines);
        }
        Assert.That(problems, Is.Empty,
            $"{name} differs from {path} beyond |Δ| ≤ {absolute:G2} + {relative:G2}·|value| (to re-pin after a reviewed change, delete the file and run without strict mode):\n" +
            string.Join("\n", problems.Take(20)));
    }

    private static string? Differs(string pinned, string now, double absolute, double relative)
    {
        var a = Number.Matches(pinned);
        var b = Number.Matches(now);
        string Words(string line) => Regex.Replace(Number.Replace(line, "#"), @"\s+", " ").Trim();
        if (Words(pinned) != Words(now)) return "the words differ";
        if (a.Count != b.Count) return "the numbers differ in count";
        for (int j = 0; j < a.Count; j++)
        {
            double x = double.Parse(a[j].Value, CultureInfo.InvariantCulture), y = double.Parse(b[j].Value, CultureInfo.InvariantCulture);
            if (Math.Abs(x - y) > absolute + relative * Math.Max(Math.Abs(x), Math.Abs(y)))
                return $"{a[j].Value} pinned, {b[j].Value} now";
        }
        return null;
    }

    /// <summary>A table in Snapshooter's layout: indented JSON lines, UTF-8 with a byte-order mark.</summary>
    private static void Write(string path, IReadOnlyList<string> lines)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(lines, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
            new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
    }
}
