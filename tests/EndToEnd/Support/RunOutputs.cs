using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Support;

/// <summary>Reading a run's outputs for comparison.</summary>
public static class RunOutputs
{
    /// <summary>
    /// An output file's content for comparing two runs: agreement.json without its "run" object,
    /// which records when and into which folder each run went (it must differ); anything else as it is.
    /// </summary>
    public static string Comparable(string path)
    {
        var text = File.ReadAllText(path);
        if (!path.EndsWith("agreement.json", StringComparison.Ordinal)) return text;
        var json = JsonNode.Parse(text)!.AsObject();
        Assert.That(json.ContainsKey("run"), Is.True, $"{path} embeds the run's provenance");
        json.Remove("run");
        // Compared number by number in AssertSameVerification.
        json.Remove("verification");
        return json.ToJsonString();
    }

    /// <summary>
    /// agreement.json's verification sections alike in structure and within 1e-9 + 1e-4·|value|. Its
    /// stacked float32 runs are not bit-identical between processes that allocated differently before
    /// (measured: one float32 ulp, 2.4e-11, in a probability-difference metric of ~1e-4 after a resumed
    /// run), so they are compared within float32 round-off; the attribution stays compared bit for bit.
    /// </summary>
    public static void AssertSameVerification(string expectedPath, string actualPath)
    {
        static JsonNode? Of(string path) => JsonNode.Parse(File.ReadAllText(path))!["verification"];
        void Compare(JsonNode? a, JsonNode? b, string where)
        {
            switch (a)
            {
                case JsonObject o:
                    Assert.That(b, Is.InstanceOf<JsonObject>(), where);
                    Assert.That(b!.AsObject().Select(kv => kv.Key), Is.EqualTo(o.Select(kv => kv.Key)), where);
                    foreach (var (key, value) in o) Compare(value, b[key], $"{where}.{key}");
                    break;
                case JsonArray arr:
                    Assert.That(b, Is.InstanceOf<JsonArray>(), where);
                    Assert.That(b!.AsArray(), Has.Count.EqualTo(arr.Count), where);
                    for (int i = 0; i < arr.Count; i++) Compare(arr[i], b[i], $"{where}[{i}]");
                    break;
                case JsonValue v when v.TryGetValue(out double x):
                    double y = b!.GetValue<double>();
                    Assert.That(y, Is.EqualTo(x).Within(1e-9 + 1e-4 * Math.Abs(x)), where);
                    break;
                default:
                    Assert.That(b?.ToJsonString(), Is.EqualTo(a?.ToJsonString()), where);
                    break;
            }
        }
        Compare(Of(expectedPath), Of(actualPath), $"{actualPath}: verification");
    }

    /// <summary>
    /// Every output of <paramref name="expected"/> (scores, agreement, plots, report, run.json) exists
    /// in <paramref name="actual"/> with the same bytes, apart from what records when and where a run
    /// went: start and end times, wall time, the --out folder. Unit files and locks are work files, not
    /// outputs, and so is anything in <paramref name="workFolders"/> (e.g. a scheduler's logs).
    /// </summary>
    public static void AssertSameRun(string expected, string actual, params string[] workFolders)
    {
        bool IsOutput(string relative) =>
            !relative.Contains("/units/", StringComparison.Ordinal) && !workFolders.Any(w => relative.StartsWith(w + "/", StringComparison.Ordinal)) && !Path.GetFileName(relative).StartsWith(".concord-", StringComparison.Ordinal)
            && Path.GetFileName(relative) != "shards.json";
        var files = Directory.GetFiles(expected, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(expected, f)).Where(IsOutput).Order().ToList();
        Assert.That(Directory.GetFiles(actual, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(actual, f)).Where(IsOutput).Order(),
            Is.EqualTo(files), "the same output files");
        Assert.That(files, Has.Some.EndsWith(".png").And.Some.EqualTo("report.md").And.Some.EqualTo("run.json"));
        foreach (var file in files)
        {
            string a = Path.Combine(expected, file), b = Path.Combine(actual, file);
            if (file.EndsWith(".png", StringComparison.Ordinal)) Assert.That(File.ReadAllBytes(b), Is.EqualTo(File.ReadAllBytes(a)), file);
            else Assert.That(Timeless(b, actual), Is.EqualTo(Timeless(a, expected)), file);
        }
    }

    private static string Timeless(string path, string output)
    {
        var text = File.ReadAllText(path);
        if (path.EndsWith("report.md", StringComparison.Ordinal))
        {
            // The run's date and wall time, and each task's time ("metric: …; 12 s.").
            text = System.Text.RegularExpressions.Regex.Replace(text, @"Generated [-0-9: ]+ UTC; wall time [0-9.]+ min\.", "");
            // Where the time went: the units this process computed and their seconds (a resumed or merged run computed others).
            text = System.Text.RegularExpressions.Regex.Replace(text, @"## Where the time went\n.*?(?=\n## )", "", System.Text.RegularExpressions.RegexOptions.Singleline);
            return System.Text.RegularExpressions.Regex.Replace(text, @"; [0-9]+ s\.$", "; (time) s.", System.Text.RegularExpressions.RegexOptions.Multiline).Replace(output, "OUT");
        }
        if (!path.EndsWith(".json", StringComparison.Ordinal)) return text;
        var json = JsonNode.Parse(text)!.AsObject();
        var run = path.EndsWith("run.json", StringComparison.Ordinal) ? json : json["run"]!.AsObject();
        foreach (var time in new[] { "started", "finished", "wall_seconds", "cost" }) run.Remove(time);
        run["options"]!.AsObject().Remove("--out");
        return json.ToJsonString();
    }
}
