using BenchmarkDotNet.Running;
using Concord.Benchmarks;
using Concord.Benchmarks.Throughput;

// dotnet run -c Release --project benchmarks -- [BenchmarkDotNet arguments, e.g. --filter '*']
// dotnet run -c Release --project benchmarks -- compare [--baseline DIR] [--current DIR] [--threshold 0.25]
// dotnet run -c Release --project benchmarks -- peak-memory ig|ig-naive|ap [--shape gpt2-small] [--steps 50] [--device cpu]
// dotnet run -c Release --project benchmarks -- peak [--device cpu]
// dotnet run -c Release --project benchmarks -- reproducibility-cost [--shape gpt2-small] [--rounds 1]
// dotnet run -c Release --project benchmarks -- edge-cost [--shape gpt2-small] [--naive-sample 64] [--no-exact] [--exact-sample] [--parts]
// dotnet run -c Release --project benchmarks -- profile ap-heads|ig-heads [--shape gpt2-small] [--device cpu] [--steps 10] [--repeats 2] [--no-products]
Concord.Model.NumericalReproducibility.Ensure();   // before any tensor: the BLAS's mode is fixed at its first call
var started = (Cpu: Concord.Benchmarks.Devices.ProcessTimes.Now(), Machine: Concord.Benchmarks.Devices.MachineTimes.BusySeconds(), Wall: System.Diagnostics.Stopwatch.StartNew());
return args.FirstOrDefault() switch
{
    "compare" => BaselineComparison.Run(args[1..]),
    "peak-memory" => PeakMemory.Run(args[1..]),
    "peak" => PeakCommand.Run(args[1..]),
    "profile" => ProductProfile.Run(args[1..]),
    "reproducibility-cost" => ReproducibilityCost.Run(args[1..]),
    "edge-cost" => EdgeCost.Run(args[1..]),
    _ => Summaries(BenchmarkSwitcher.FromAssembly(typeof(BenchmarkBase).Assembly).Run(args, new BenchmarkConfig()).ToList()),
};

int Summaries(List<BenchmarkDotNet.Reports.Summary> summaries)
{
    ThroughputSummary.Print(summaries, Console.Out, Concord.Benchmarks.Devices.ProcessTimes.Now() - started.Cpu,
        Concord.Benchmarks.Devices.MachineTimes.BusySeconds() - started.Machine, started.Wall.Elapsed);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
