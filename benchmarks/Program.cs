using BenchmarkDotNet.Running;
using Concord.Benchmarks;

// dotnet run -c Release --project benchmarks -- [BenchmarkDotNet arguments, e.g. --filter '*']
// dotnet run -c Release --project benchmarks -- compare [--baseline DIR] [--current DIR] [--threshold 0.25]
// dotnet run -c Release --project benchmarks -- peak-memory ig|ig-naive|ap [--shape gpt2-small] [--steps 50] [--device cpu]
return args.FirstOrDefault() switch
{
    "compare" => BaselineComparison.Run(args[1..]),
    "peak-memory" => PeakMemory.Run(args[1..]),
    _ => Summaries(BenchmarkSwitcher.FromAssembly(typeof(BenchmarkBase).Assembly).Run(args, new BenchmarkConfig())),
};

static int Summaries(IEnumerable<BenchmarkDotNet.Reports.Summary> summaries) =>
    summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
