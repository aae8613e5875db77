using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Concord.Benchmarks.Throughput;

namespace Concord.Benchmarks;

/// <summary>
/// In-process runs: BenchmarkDotNet's generated project would not get the build step that makes
/// TorchSharp load on Debian 12, and a model per process is expensive anyway. Warm-up, iterations
/// and strategy follow the shapes and devices of the run (<see cref="IterationPlan"/>).
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        var plan = IterationPlan.For(BenchmarkBase.Shapes(), BenchmarkBase.Devices());
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("CONCORD_BENCH_ITERATIONS"), out int n) ? n : plan.Iterations;
        int warmup = int.TryParse(Environment.GetEnvironmentVariable("CONCORD_BENCH_WARMUP"), out int w) ? w : plan.Warmup;
        var job = Job.Default
            // The naive baselines on GPT-2 small's shape take minutes per operation on a slow day
            // (AP over heads: 1.15 min measured 2026-11-28), beyond the in-process default limit.
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true))
            .WithLaunchCount(1)
            .WithWarmupCount(warmup)
            .WithIterationCount(iterations)
            .WithUnrollFactor(1)
            .WithId("concord");
        AddJob(plan.OneInvocationPerIteration
            ? job.WithStrategy(RunStrategy.Monitoring).WithInvocationCount(1)
            : job.WithStrategy(RunStrategy.Throughput).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddColumn(new ThroughputColumn("prompts/s", tokens: false), new ThroughputColumn("tokens/s", tokens: true));
        AddColumn(new FlopColumn(FlopColumn.Kind.Work), new FlopColumn(FlopColumn.Kind.Rate), new FlopColumn(FlopColumn.Kind.ShareOfPeak));
        AddExporter(JsonExporter.Full, MarkdownExporter.GitHub);
        AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default);
        WithOptions(ConfigOptions.DisableLogFile);
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
    }
}

/// <summary>Prompts (or prompt tokens) processed per second of the operation's mean time.</summary>
public sealed class ThroughputColumn(string name, bool tokens) : IColumn
{
    public string Id => "Concord." + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => tokens ? "Prompt tokens processed per second" : "Prompts processed per second";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats) return "-";
        double Param(string p) => benchmarkCase.Parameters.Items.FirstOrDefault(i => i.Name == p)?.Value is int v ? v : double.NaN;
        double work = Param("Prompts") * (tokens ? Param("Tokens") : 1);
        return double.IsNaN(work) ? "-" : (work / (stats.Mean / 1e9)).ToString("F1");
    }
}
