using BenchmarkDotNet.Reports;
using Concord.Benchmarks.Devices;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// After a run: every counted case's achieved matrix-product rate against this machine's peak,
/// one line each, and the peaks themselves (BenchmarkDotNet prints one table per class; this puts
/// the share of the limit of every algorithm side by side).
/// </summary>
public static class ThroughputSummary
{
    /// <param name="own">This process's CPU time over the run, <paramref name="machineBusy"/> the whole machine's, <paramref name="wall"/>
    /// the run's wall time: what other processes took meanwhile (<see cref="MachineTimes.OthersLine"/>).</param>
    public static void Print(IEnumerable<Summary> summaries, TextWriter output, ProcessTimes own, double machineBusy, TimeSpan wall)
    {
        var lines = new List<string>();
        var peaks = new HashSet<MachinePeak.Result>();
        foreach (var summary in summaries)
            foreach (var report in summary.Reports)
            {
                var benchmarkCase = report.BenchmarkCase;
                if (BenchmarkWork.For(benchmarkCase) is not { } products || report.ResultStatistics is not { } stats) continue;
                var peak = MachinePeak.For(BenchmarkWork.DeviceOf(benchmarkCase), BenchmarkWork.DTypeOf(benchmarkCase));
                peaks.Add(peak);
                double flops = products.Sum(p => p.Flops), rate = flops / stats.Mean;
                lines.Add($"  {benchmarkCase.Descriptor.Type.Name}.{benchmarkCase.Descriptor.WorkloadMethod.Name} [{benchmarkCase.Parameters.PrintInfo}]: " +
                          $"{flops / 1e9:F1} GFLOP in {stats.Mean / 1e9:F3} s = {rate:F1} GFLOP/s = {100 * rate / peak.Gflops:F1} % of the peak");
            }
        if (lines.Count == 0) return;
        output.WriteLine("// * Throughput against this machine's matrix-product peak *");
        output.WriteLine("  " + AllocatorSetting());
        output.WriteLine("  " + MachineTimes.OthersLine(machineBusy, own, wall));
        foreach (var peak in peaks) output.WriteLine("  " + peak.Describe());
        foreach (var line in lines) output.WriteLine(line);
    }

    /// <summary>
    /// glibc's allocator settings, which move these figures more than anything else on CPU: a
    /// fresh mapping is faulted in page by page, and libtorch allocates every intermediate anew.
    /// </summary>
    public static string AllocatorSetting()
    {
        string Value(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : "unset";
        return $"allocator: GLIBC_TUNABLES={Value("GLIBC_TUNABLES")}, MALLOC_MMAP_THRESHOLD_={Value("MALLOC_MMAP_THRESHOLD_")}";
    }
}
