using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// A case's matrix-product work (GFLOP), its achieved rate (GFLOP/s of the mean time) and that
/// rate's share of this machine's matrix-product peak for the case's device and number type
/// (<see cref="MachinePeak"/>, measured once per process when first shown, between benchmarks).
/// "-" where the work is not counted.
/// </summary>
public sealed class FlopColumn(FlopColumn.Kind kind) : IColumn
{
    public enum Kind { Work, Rate, ShareOfPeak }

    public string Id => "Concord.flops." + kind;
    public string ColumnName => kind switch { Kind.Work => "GFLOP", Kind.Rate => "GFLOP/s", _ => "% of peak" };
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1 + (int)kind;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => kind switch
    {
        Kind.Work => "Matrix-product work of the case's algorithm, in 10^9 floating-point operations (2·M·K·N per product)",
        Kind.Rate => "Matrix-product work per second of the mean time",
        _ => "GFLOP/s as a share of this machine's matrix-product peak through TorchSharp (same device and number type)",
    };
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => BenchmarkWork.For(c) is not null);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (BenchmarkWork.For(benchmarkCase) is not { } products) return "-";
        double flops = products.Sum(p => p.Flops);
        if (kind == Kind.Work) return (flops / 1e9).ToString(flops < 1e10 ? "F3" : "F1");
        if (summary[benchmarkCase]?.ResultStatistics is not { } stats) return "-";
        double rate = flops / stats.Mean;   // FLOP per ns = GFLOP/s
        if (kind == Kind.Rate) return rate.ToString("F1");
        var peak = MachinePeak.For(BenchmarkWork.DeviceOf(benchmarkCase), BenchmarkWork.DTypeOf(benchmarkCase));
        return (100 * rate / peak.Gflops).ToString("F1");
    }
}
