using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Concord.Benchmarks;

/// <summary>
/// Compares a BenchmarkDotNet JSON export with the committed baseline by ratios: each benchmark's
/// mean over its class's baseline benchmark (the naive or reference variant) measured in the same
/// run, so the speed of the machine cancels. A ratio that grew by more than the threshold is a
/// regression (exit code 1).
/// </summary>
public static class BaselineComparison
{
    public sealed record Entry(string Type, string Method, string Parameters, double MeanNs, long? AllocatedBytes);

    public static int Run(string[] args)
    {
        string baselineDir = Option(args, "--baseline") ?? Path.Combine(Concord.Tasks.ProjectPaths.Root, "benchmarks", "baseline");
        string currentDir = Option(args, "--current") ?? Path.Combine(Environment.CurrentDirectory, "BenchmarkDotNet.Artifacts", "results");
        double threshold = double.Parse(Option(args, "--threshold") ?? "0.25", CultureInfo.InvariantCulture);
        var baseline = Read(baselineDir);
        var current = Read(currentDir);
        if (current.Count == 0)
        {
            Console.Error.WriteLine($"error: no BenchmarkDotNet JSON export (*-report-full.json) in {currentDir}; run the benchmarks first");
            return 2;
        }
        var rows = Compare(baseline, current, threshold);
        Console.WriteLine($"{"benchmark",-52} {"params",-58} {"baseline",9} {"current",9} {"change",8}  status");
        foreach (var r in rows)
            Console.WriteLine($"{r.Name,-52} {r.Parameters,-58} {Fmt(r.BaselineRatio),9} {Fmt(r.CurrentRatio),9} {(r.Change is double c ? Math.Round(c, 2).ToString("+0%;-0%;0%", CultureInfo.InvariantCulture) : "-"),8}  {r.Status}");
        int regressions = rows.Count(r => r.Status == "REGRESSION");
        Console.WriteLine(regressions == 0
            ? $"no regression beyond {threshold:P0} in any ratio ({rows.Count(r => r.Status == "ok")} compared)"
            : $"{regressions} ratio(s) regressed by more than {threshold:P0}");
        return regressions == 0 ? 0 : 1;
    }

    public sealed record Row(string Name, string Parameters, double? BaselineRatio, double? CurrentRatio, double? Change, string Status);

    public static List<Row> Compare(IReadOnlyList<Entry> baseline, IReadOnlyList<Entry> current, double threshold)
    {
        var baselineRatios = Ratios(baseline);
        var rows = new List<Row>();
        foreach (var ((type, method, parameters), ratio) in Ratios(current).OrderBy(x => x.Key.ToString()))
        {
            string name = $"{type}.{method}";
            if (!baselineRatios.TryGetValue((type, method, parameters), out var old))
            {
                rows.Add(new Row(name, parameters, null, ratio, null, "new"));
                continue;
            }
            double change = ratio / old - 1;
            rows.Add(new Row(name, parameters, old, ratio, change, change > threshold ? "REGRESSION" : "ok"));
        }
        foreach (var key in baselineRatios.Keys.Where(k => !rows.Any(r => r.Name == $"{k.Type}.{k.Method}" && r.Parameters == k.Parameters)))
            rows.Add(new Row($"{key.Type}.{key.Method}", key.Parameters, baselineRatios[key], null, null, "not run"));
        return rows;
    }

    /// <summary>mean(benchmark) / mean(its class's [Benchmark(Baseline = true)]) for the same parameters.</summary>
    public static Dictionary<(string Type, string Method, string Parameters), double> Ratios(IReadOnlyList<Entry> entries)
    {
        var result = new Dictionary<(string, string, string), double>();
        foreach (var group in entries.GroupBy(e => (e.Type, e.Parameters)))
        {
            var reference = BaselineMethod(group.Key.Type);
            var baseEntry = group.FirstOrDefault(e => e.Method == reference);
            if (baseEntry is null) continue;
            foreach (var e in group.Where(e => e.Method != reference))
                result[(e.Type, e.Method, e.Parameters)] = e.MeanNs / baseEntry.MeanNs;
        }
        return result;
    }

    private static string? BaselineMethod(string type) =>
        typeof(BenchmarkBase).Assembly.GetTypes().FirstOrDefault(t => t.Name == type)?
            .GetMethods().FirstOrDefault(m => m.GetCustomAttribute<BenchmarkAttribute>()?.Baseline == true)?.Name;

    public static List<Entry> Read(string folder)
    {
        var entries = new List<Entry>();
        if (!Directory.Exists(folder)) return entries;
        foreach (var file in Directory.GetFiles(folder, "*-report-full*.json").Order())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var b in doc.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                if (!b.TryGetProperty("Statistics", out var stats) || stats.ValueKind != JsonValueKind.Object) continue;
                long? allocated = b.TryGetProperty("Memory", out var mem) && mem.ValueKind == JsonValueKind.Object
                    && mem.TryGetProperty("BytesAllocatedPerOperation", out var bytes) ? bytes.GetInt64() : null;
                entries.Add(new Entry(b.GetProperty("Type").GetString()!, b.GetProperty("Method").GetString()!,
                    b.GetProperty("Parameters").GetString() ?? "", stats.GetProperty("Mean").GetDouble(), allocated));
            }
        }
        return entries;
    }

    private static string Fmt(double? ratio) => ratio is double r ? r.ToString("F3", CultureInfo.InvariantCulture) : "-";

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
