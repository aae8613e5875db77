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
        // The verification's stacked float32 runs included: with the BLAS in its reproducible mode
        // they no longer depend on what the process allocated before (they differed by one float32
        // ulp after a resumed run before that mode, and were compared within round-off).
        return json.ToJsonString();
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
