using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Concord.Benchmarks.Devices;

namespace Concord.Benchmarks;

/// <summary>
/// Compares a BenchmarkDotNet JSON export with the committed baseline by ratios: each benchmark's
/// mean over its class's baseline benchmark (the naive or reference variant) measured in the same
/// run, so the speed of the machine cancels. A ratio that grew by more than the threshold is a
/// regression (exit code 1). Ratios are compared only between measurements on the same kind of
/// device: a cuda baseline is never compared with a cpu run, nor the other way round.
/// </summary>
public static class BaselineComparison
{
    /// <param name="Device">The device the measurement ran on when the parameters do not say (a baseline file's name); null: from <see cref="Parameters"/>.</param>
    public sealed record Entry(string Type, string Method, string Parameters, double MeanNs, long? AllocatedBytes, string? Device = null)
    {
        /// <summary>"cpu" or "cuda" (any index): what a ratio may be compared across; "unknown" when neither the parameters nor the file say.</summary>
        public string DeviceKind => DeviceName.Kind(Parameter("Device") ?? Device ?? "unknown");

        public string? Parameter(string name) =>
            Parameters.Split('&').Select(p => p.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == name)?[1];

        /// <summary>The parameters without the device, which <see cref="DeviceKind"/> keys instead (cuda and cuda:1 are one kind).</summary>
        public string OtherParameters => string.Join('&', Parameters.Split('&').Where(p => !p.StartsWith("Device=", StringComparison.Ordinal)));
    }

    public static int Run(string[] args)
    {
        string baselineDir = CommandOptions.Get(args, "--baseline") ?? Path.Combine(Concord.Tasks.ProjectPaths.Root, "benchmarks", "baseline");
        string currentDir = CommandOptions.Get(args, "--current") ?? Path.Combine(Environment.CurrentDirectory, "BenchmarkDotNet.Artifacts", "results");
        double threshold = double.Parse(CommandOptions.Get(args, "--threshold") ?? "0.25", CultureInfo.InvariantCulture);
        List<Entry> baseline, current;
        try
        {
            baseline = Read(baselineDir);
            current = Read(currentDir);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        if (current.Count == 0)
        {
            Console.Error.WriteLine($"error: no BenchmarkDotNet JSON export (*-report-full.json) in {currentDir}; run the benchmarks first");
            return 2;
        }
        var rows = Compare(baseline, current, threshold);
        var others = OtherDevices(baseline, current);
        Console.WriteLine($"{"benchmark",-52} {"params",-58} {"baseline",9} {"current",9} {"change",8}  status");
        foreach (var r in rows)
            Console.WriteLine($"{r.Name,-52} {r.Parameters,-58} {Fmt(r.BaselineRatio),9} {Fmt(r.CurrentRatio),9} {(r.Change is double c ? Math.Round(c, 2).ToString("+0%;-0%;0%", CultureInfo.InvariantCulture) : "-"),8}  {r.Status}");
        int regressions = rows.Count(r => r.Status == "REGRESSION");
        if (others.Count > 0)
            Console.WriteLine($"left out the baselines measured on {string.Join(", ", others)}: this run measured on {string.Join(", ", current.Select(e => e.DeviceKind).Distinct().Order())}, and ratios are compared on the same kind of device only");
        Console.WriteLine(regressions == 0
            ? $"no regression beyond {threshold:P0} in any ratio ({rows.Count(r => r.Status == "ok")} compared)"
            : $"{regressions} ratio(s) regressed by more than {threshold:P0}");
        return regressions == 0 ? 0 : 1;
    }

    public sealed record Row(string Name, string Parameters, double? BaselineRatio, double? CurrentRatio, double? Change, string Status);

    public static List<Row> Compare(IReadOnlyList<Entry> baseline, IReadOnlyList<Entry> current, double threshold)
    {
        // Baselines of devices this run did not measure on are left out, not reported as "not run".
        var devices = current.Select(e => e.DeviceKind).ToHashSet();
        var baselineRatios = KeyedRatios(baseline.Where(e => devices.Contains(e.DeviceKind)).ToList());
        var rows = new List<Row>();
        var matched = new HashSet<Key>();
        foreach (var (key, (parameters, ratio)) in KeyedRatios(current).OrderBy(x => x.Key.ToString()))
        {
            string name = $"{key.Type}.{key.Method}";
            if (!baselineRatios.TryGetValue(key, out var old))
            {
                rows.Add(new Row(name, parameters, null, ratio, null, "new"));
                continue;
            }
            matched.Add(key);
            double change = ratio / old.Ratio - 1;
            rows.Add(new Row(name, parameters, old.Ratio, ratio, change, change > threshold ? "REGRESSION" : "ok"));
        }
        foreach (var (key, (parameters, ratio)) in baselineRatios.Where(b => !matched.Contains(b.Key)))
            rows.Add(new Row($"{key.Type}.{key.Method}", parameters, ratio, null, null, "not run"));
        return rows;
    }

    /// <summary>Baseline entries measured on kinds of device the current run did not use (never compared with it).</summary>
    public static IReadOnlyList<string> OtherDevices(IReadOnlyList<Entry> baseline, IReadOnlyList<Entry> current)
    {
        var devices = current.Select(e => e.DeviceKind).ToHashSet();
        return baseline.Select(e => e.DeviceKind).Where(d => !devices.Contains(d)).Distinct().Order().ToList();
    }

    /// <summary>A ratio's identity across runs: the kind of device, the benchmark and its other parameters.</summary>
    private readonly record struct Key(string Device, string Type, string Method, string Parameters);

    private static Dictionary<Key, (string Parameters, double Ratio)> KeyedRatios(IReadOnlyList<Entry> entries)
    {
        var result = new Dictionary<Key, (string, double)>();
        foreach (var group in entries.GroupBy(e => (e.DeviceKind, e.Type, e.OtherParameters)))
        {
            var reference = BaselineMethod(group.Key.Type);
            var baseEntry = group.FirstOrDefault(e => e.Method == reference);
            if (baseEntry is null) continue;
            foreach (var e in group.Where(e => e.Method != reference))
                result[new Key(group.Key.DeviceKind, e.Type, e.Method, group.Key.OtherParameters)] = (e.Parameters, e.MeanNs / baseEntry.MeanNs);
        }
        return result;
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

    /// <summary>
    /// Every benchmark of the JSON exports in a folder. A file named with a shape and device
    /// (<see cref="BaselineFile"/>) must hold only measurements of that shape on that kind of
    /// device: a GPU export copied under a cpu name would otherwise be compared with cpu runs.
    /// </summary>
    public static List<Entry> Read(string folder)
    {
        var entries = new List<Entry>();
        if (!Directory.Exists(folder)) return entries;
        foreach (var file in Directory.GetFiles(folder, "*-report-full*.json").Order())
        {
            var named = BaselineFile.Parse(file);
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var b in doc.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                if (!b.TryGetProperty("Statistics", out var stats) || stats.ValueKind != JsonValueKind.Object) continue;
                long? allocated = b.TryGetProperty("Memory", out var mem) && mem.ValueKind == JsonValueKind.Object
                    && mem.TryGetProperty("BytesAllocatedPerOperation", out var bytes) ? bytes.GetInt64() : null;
                var entry = new Entry(b.GetProperty("Type").GetString()!, b.GetProperty("Method").GetString()!,
                    b.GetProperty("Parameters").GetString() ?? "", stats.GetProperty("Mean").GetDouble(), allocated, named?.Device);
                if (named is var (shape, device) && (entry.DeviceKind != device || (entry.Parameter("Shape") is string s && s != shape)))
                    throw new InvalidDataException($"{file}: named for {shape} on {device}, but {entry.Type}.{entry.Method} ran with {entry.Parameters}");
                entries.Add(entry);
            }
        }
        return entries;
    }

    private static string Fmt(double? ratio) => ratio is double r ? r.ToString("F3", CultureInfo.InvariantCulture) : "-";

}
