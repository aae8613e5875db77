using System.Diagnostics;
using System.Globalization;
using Concord.Model;

namespace Concord.Benchmarks;

/// <summary>
/// What the BLAS's reproducible mode costs: AP over heads and IG over heads (the benchmarks
/// <c>ActivationPatchingBenchmarks.Heads</c> and <c>IntegratedGradientsBenchmarks.HeadsAllLayers</c>),
/// each measured by BenchmarkDotNet with the mode on and off, alternately, in one invocation. MKL
/// fixes its mode at its first call and refuses a change afterwards (mkl_cbwr_set returns
/// MKL_CBWR_ERR_MODE_CHANGE_FAILURE), and the benchmarks run in process, so each mode is a child
/// process of its own; the rounds alternate so that a drift of the machine falls on both.
/// </summary>
public static class ReproducibilityCost
{
    private static readonly string[] Benchmarks = ["*ActivationPatchingBenchmarks.Heads", "*IntegratedGradientsBenchmarks.HeadsAllLayers"];

    public static int Run(string[] args)
    {
        string shape = CommandOptions.Get(args, "--shape") ?? "gpt2-small";
        int rounds = int.Parse(CommandOptions.Get(args, "--rounds") ?? "1", CultureInfo.InvariantCulture);
        var means = new Dictionary<(string Benchmark, bool On), List<double>>();
        for (int round = 0; round < rounds; round++)
            foreach (bool on in new[] { false, true })
            {
                var artifacts = Directory.CreateTempSubdirectory("concord-cbwr-").FullName;
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
                start.ArgumentList.Add(typeof(ReproducibilityCost).Assembly.Location);
                start.ArgumentList.Add("--filter");
                foreach (var b in Benchmarks) start.ArgumentList.Add(b);
                start.ArgumentList.Add("--artifacts");
                start.ArgumentList.Add(artifacts);
                start.Environment["CONCORD_BENCH_SHAPES"] = shape;
                start.Environment.Remove(NumericalReproducibility.MklVariable);
                start.Environment[NumericalReproducibility.OptOutVariable] = on ? "1" : "0";
                Console.WriteLine($"round {round + 1}/{rounds}: reproducible mode {(on ? "on" : "off")} …");
                using (var child = Process.Start(start)!)
                {
                    child.StandardOutput.ReadToEnd();
                    child.WaitForExit();
                    if (child.ExitCode != 0) { Console.Error.WriteLine($"error: the benchmark child failed (exit {child.ExitCode}); its artifacts are in {artifacts}"); return 1; }
                }
                foreach (var entry in BaselineComparison.Read(Path.Combine(artifacts, "results")))
                {
                    var key = (entry.Method, on);
                    if (!means.TryGetValue(key, out var list)) means[key] = list = [];
                    list.Add(entry.MeanNs);
                }
                Directory.Delete(artifacts, recursive: true);
            }
        Console.WriteLine($"BLAS reproducible mode (MKL_CBWR={NumericalReproducibility.DefaultMode}) on {shape}, 8 prompts × 20 tokens, {CpuName()}, {rounds} round(s):");
        foreach (var method in means.Keys.Select(k => k.Benchmark).Distinct().Order())
        {
            double off = means[(method, false)].Average() / 1e9, on = means[(method, true)].Average() / 1e9;
            static string Each(List<double> ns) => string.Join(", ", ns.Select(n => (n / 1e9).ToString("F2", CultureInfo.InvariantCulture)));
            Console.WriteLine($"  {method,-16} off {off,8:F3} s   on {on,8:F3} s   on/off {on / off:F3}   (per round: off {Each(means[(method, false)])}; on {Each(means[(method, true)])})");
        }
        return 0;
    }

    internal static string CpuName() =>
        File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU" : "unknown CPU";
}
