using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Concord.Methods.Results;
using Concord.Tasks;
using Concord.Tasks.Csv;

namespace Concord.Cli.Commands;

/// <summary>
/// `concord diff OLD NEW`: a readable difference of two score tables (scores.csv), agreement tables
/// (agreement.json) or pinned snapshots (*.snap), for reviewing a snapshot change or two runs.
/// Exit code 0 when nothing differs beyond the tolerance, 1 otherwise.
/// </summary>
public static partial class DiffCommand
{
    public static Command Create()
    {
        var oldFile = new Argument<string>("old") { Description = "The reference file (scores.csv, agreement.json or a .snap snapshot)" };
        var newFile = new Argument<string>("new") { Description = "The file to compare with it" };
        var tolerance = new Option<double>("--tolerance") { Description = "Ignore numeric changes up to this absolute size", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "Show at most this many changed entries", DefaultValueFactory = _ => 50 };
        var command = new Command("diff", "Print the differences between two score or agreement tables (or snapshots)") { oldFile, newFile, tolerance, limit };
        command.SetGuardedAction(parse =>
        {
            string a = parse.GetValue(oldFile)!, b = parse.GetValue(newFile)!;
            foreach (var f in new[] { a, b })
                if (!File.Exists(f)) throw new FileNotFoundException($"{f}: file not found");
            var (left, right) = a.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? (Scores(a), Scores(b)) : (Json(a), Json(b));
            return Print(left, right, parse.GetValue(tolerance), parse.GetValue(limit));
        });
        return command;
    }

    /// <summary>scores.csv as key → score, the key being every column but the score.</summary>
    public static Dictionary<string, string> Scores(string path)
    {
        var rows = CsvTable.Read(path, ScoreCsv.Header);
        return rows.ToDictionary(
            r => $"prompt {r.Fields["prompt"]} {r.Fields["kind"]} L{r.Fields["layer"]}.{r.Fields["index"]}{(r.Fields["position"] is { Length: > 0 } p ? "@" + p : "")} {r.Fields["method"]}",
            r => r.Fields["score"]);
    }

    /// <summary>Any JSON (agreement.json, a snapshot's array of lines) flattened to path → value.</summary>
    public static Dictionary<string, string> Json(string path)
    {
        var result = new Dictionary<string, string>();
        JsonDocument parsed;
        try
        {
            CsvTable.RequireText(path);
            parsed = JsonDocument.Parse(File.ReadAllText(path).TrimStart('\uFEFF'));
        }
        catch (Exception e) when (e is JsonException or DatasetException)
        {
            throw new InvalidDataException($"{path}: neither a scores CSV (*.csv) nor JSON (agreement.json, a snapshot); diff compares those");
        }
        using var doc = parsed;
        void Walk(JsonElement e, string at)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(p.Value, at.Length == 0 ? p.Name : $"{at}.{p.Name}");
                    break;
                case JsonValueKind.Array:
                    int i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        // Snapshot lines are keyed by their label (the text before the first number), not their index.
                        string key = item.ValueKind == JsonValueKind.String ? Label(item.GetString()!) : $"[{i}]";
                        Walk(item, $"{at}{key}");
                        i++;
                    }
                    break;
                default:
                    result[at] = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
                    break;
            }
        }
        Walk(doc.RootElement, "");
        return result;
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][-+]?\d+)?")]
    private static partial Regex NumberPattern();

    /// <summary>The first word and every word up to the first number: "0.1 ig 0.017 ap ..." → "0.1 ig".</summary>
    private static string Label(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var label = words.Take(1).Concat(words.Skip(1).TakeWhile(w => !double.TryParse(w.TrimEnd(','), NumberStyles.Float, CultureInfo.InvariantCulture, out _)));
        return "[" + string.Join(" ", label) + "]";
    }

    private static double[] Numbers(string text) =>
        NumberPattern().Matches(text).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();

    private static int Print(Dictionary<string, string> left, Dictionary<string, string> right, double tolerance, int limit)
    {
        var removed = left.Keys.Except(right.Keys).Order().ToList();
        var added = right.Keys.Except(left.Keys).Order().ToList();
        var changed = new List<(string Key, string Old, string New, double Delta)>();
        foreach (var key in left.Keys.Intersect(right.Keys).Order())
        {
            string a = left[key], b = right[key];
            if (a == b) continue;
            var x = Numbers(a);
            var y = Numbers(b);
            double delta = x.Length == y.Length && x.Length > 0 ? x.Zip(y, (p, q) => Math.Abs(p - q)).Max() : double.PositiveInfinity;
            if (delta > tolerance) changed.Add((key, a, b, delta));
        }
        foreach (var (key, a, b, delta) in changed.OrderByDescending(c => c.Delta).Take(limit))
            Console.WriteLine(double.IsPositiveInfinity(delta) ? $"~ {key}\n    - {a}\n    + {b}" : $"~ {key}: {a} → {b}  (|Δ| {delta:G3})");
        foreach (var key in removed.Take(limit)) Console.WriteLine($"- {key}: {left[key]}");
        foreach (var key in added.Take(limit)) Console.WriteLine($"+ {key}: {right[key]}");
        Console.WriteLine($"{changed.Count} changed, {removed.Count} removed, {added.Count} added, {left.Count - removed.Count - changed.Count} unchanged" +
                          (changed.Count > 0 && changed.All(c => double.IsFinite(c.Delta)) ? $"; largest |Δ| {changed.Max(c => c.Delta):G3}" : ""));
        return changed.Count + removed.Count + added.Count == 0 ? 0 : 1;
    }
}
