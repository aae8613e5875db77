using Concord.Benchmarks.Devices;

namespace Concord.Benchmarks;

/// <summary>
/// Warm-up and measured iterations for the shapes and devices of one run. BenchmarkDotNet has one
/// job per run, so mixed runs take the most any of their (shape, device) pairs needs.
/// </summary>
/// <param name="OneInvocationPerIteration">Operations take seconds: time each call on its own
/// (monitoring). Otherwise BenchmarkDotNet batches calls into ~250 ms iterations, which keeps
/// thread wake-ups, GC pauses and, on a GPU, launch jitter out of the means.</param>
public sealed record IterationPlan(int Warmup, int Iterations, bool OneInvocationPerIteration)
{
    public static IterationPlan For(IEnumerable<string> shapes, IEnumerable<string> devices)
    {
        var plans = (from shape in shapes from device in devices select For(shape, device)).ToList();
        if (plans.Count == 0) return For("tiny", "cpu");
        return new IterationPlan(plans.Max(p => p.Warmup), plans.Max(p => p.Iterations), plans.Any(p => p.OneInvocationPerIteration));
    }

    public static IterationPlan For(string shape, string device)
    {
        bool large = shape != "tiny";
        return DeviceName.Kind(device) switch
        {
            // CPU: GPT-2 small's naive baselines take a minute or more per call; the tiny model's
            // operations take milliseconds and repeat within a few per cent.
            "cpu" => large ? new IterationPlan(1, 3, true) : new IterationPlan(2, 8, false),
            // CUDA: the first calls pay for cuBLAS handles, kernel selection and the caching
            // allocator's first cudaMalloc calls, and the GPU's clock ramps up: more warm-up. Each
            // call is fast (GPT-2 small's AP over heads is well under a second), so more iterations
            // cost little and average out the host's launch jitter.
            "cuda" => large ? new IterationPlan(3, 10, true) : new IterationPlan(5, 20, false),
            _ => throw new ArgumentException($"unknown benchmark device '{device}' (cpu, cuda or cuda:N)"),
        };
    }
}
