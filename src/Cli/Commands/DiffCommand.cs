using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Tasks;

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
            double tol = parse.GetValue(tolerance);
            // NaN would make every comparison false ("0 changed"); a negative one would call equal numbers changed.
            if (!(double.IsFinite(tol) && tol >= 0)) throw new ArgumentException($"--tolerance must be a finite number ≥ 0 (got {tol.ToString(CultureInfo.InvariantCulture)})");
            if (parse.GetValue(limit) < 0) throw new ArgumentException($"--limit must be 0 or more (got {parse.GetValue(limit)})");
            var (kindA, kindB) = (KindOf(a), KindOf(b));
            if (kindA != kindB)
                throw new InvalidDataException($"{a} is {Describe(kindA)} and {b} is {Describe(kindB)}; diff compares two files of one kind");
            var (left, right) = kindA == FileKind.Scores ? (Scores(a), Scores(b)) : (Json(a), Json(b));
            return Print(left, right, tol, parse.GetValue(limit));
        });
        return StrictNumbers.Enforce(command);
    }

    /// <summary>What diff can compare: score tables, JSON (agreement.json, run.json), pinned snapshots (a JSON array of lines).</summary>
    public enum FileKind { Scores, Json, Snapshot }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Scores => "a scores table (CSV)",
        FileKind.Snapshot => "a snapshot (.snap)",
        _ => "a JSON file",
    };

    /// <summary>The kind of <paramref name="path"/> by its name, or by its content when the name says nothing; missing files and folders are named as such.</summary>
    public static FileKind KindOf(string path)
    {
        if (Directory.Exists(path))
            throw new InvalidDataException($"{path}: is a folder; diff compares two files (e.g. OLD/ioi/agreement.json NEW/ioi/agreement.json)");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found");
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return FileKind.Scores;
        if (path.EndsWith(".snap", StringComparison.OrdinalIgnoreCase)) return FileKind.Snapshot;
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return FileKind.Json;
        using var doc = ParseJson(path);
        return doc.RootElement.ValueKind == JsonValueKind.Array && doc.RootElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? FileKind.Snapshot : FileKind.Json;
    }

    /// <summary>scores.csv as key → score, the key being every column but the score; an entry given twice is damage, never a silent overwrite.</summary>
    public static Dictionary<string, string> Scores(string path)
    {
        var rows = CsvTable.Read(path, ScoreCsv.Header, InputFiles.DiffCsvBytes, "a scores table diff compares");
        var result = new Dictionary<string, string>();
        var rowOf = new Dictionary<string, int>();
        foreach (var r in rows)
        {
            var key = $"prompt {r.Fields["prompt"]} {r.Fields["kind"]} L{r.Fields["layer"]}.{r.Fields["index"]}{(r.Fields["position"] is { Length: > 0 } p ? "@" + p : "")} {r.Fields["method"]}";
            if (rowOf.TryGetValue(key, out int first))
                throw new InvalidDataException($"{path}: row {r.Row} repeats row {first} ({key}); a scores table has one row per prompt, component and method");
            rowOf[key] = r.Row;
            result[key] = r.Fields["score"];
        }
        return result;
    }

    /// <summary>A JSON file parsed, or one line saying it is not JSON (and where a truncated or damaged one breaks off).</summary>
    private static JsonDocument ParseJson(string path)
    {
        try
        {
            CsvTable.RequireText(path, InputFiles.DiffJsonBytes, "a JSON file diff compares");
        }
        catch (DatasetException)
        {
            throw new InvalidDataException($"{path}: neither a scores CSV (*.csv) nor JSON (agreement.json, a snapshot); diff compares those");
        }
        var text = InputFiles.ReadText(path, InputFiles.DiffJsonBytes, "a JSON file diff compares").TrimStart('\uFEFF');
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e) when (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".snap", StringComparison.OrdinalIgnoreCase))
        {
            long line = (e.LineNumber ?? 0) + 1;
            bool atTheEnd = line >= text.TrimEnd().Split('\n').Length;
            string where = atTheEnd ? $" (it breaks off at line {line}: a truncated file?)" : $" (at line {line})";
            throw new InvalidDataException($"{path}: not valid JSON{where}");
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"{path}: neither a scores CSV (*.csv) nor JSON (agreement.json, a snapshot); diff compares those");
        }
    }

    /// <summary>Any JSON (agreement.json, a snapshot's array of lines) flattened to path → value.</summary>
    public static Dictionary<string, string> Json(string path)
    {
        var result = new Dictionary<string, string>();
        bool snapshot = KindOf(path) == FileKind.Snapshot;
        using var doc = ParseJson(path);
        void Add(string at, string value)
        {
            // Two snapshot lines with one label, or one key twice in an object: the second would hide the first.
            if (!result.TryAdd(at, value))
                throw new InvalidDataException(snapshot
                    ? $"{path}: the line {at} appears twice (a duplicated row); each line of a snapshot must be unique to be compared"
                    : $"{path}: '{at}' appears twice (a duplicated key); each entry must be unique to be compared");
        }
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
                        // Outside snapshots a list may repeat a label: its later lines are told apart by their count.
                        for (int n = 2; !snapshot && item.ValueKind == JsonValueKind.String && result.ContainsKey($"{at}{key}"); n++)
                            key = Label(item.GetString()!)[..^1] + $" #{n}]";
                        Walk(item, $"{at}{key}");
                        i++;
                    }
                    break;
                default:
                    Add(at, e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText());
                    break;
            }
        }
        Walk(doc.RootElement, "");
        return result;
    }

    // ASCII digits only: \d also matches other scripts' digits, which double.Parse then rejects mid-diff.
    [GeneratedRegex(@"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")]
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
