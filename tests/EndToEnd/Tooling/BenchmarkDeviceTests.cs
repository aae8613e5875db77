using System.Reflection;
using BenchmarkDotNet.Attributes;
using Concord.Benchmarks;
using Concord.Benchmarks.Devices;
using Concord.Benchmarks.Throughput;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.EndToEnd.Tooling;

/// <summary>
/// The benchmarks stay honest on a GPU, checked on a machine without one: the clock waits for the
/// device that ran the work, peak memory comes from where that device keeps its tensors, iteration
/// counts follow the device, and a ratio measured on one kind of device is never held against a
/// run on another.
/// </summary>
[TestFixture]
public class BenchmarkDeviceTests
{
    /// <summary>Counts synchronisations instead of waiting for a device.</summary>
    private sealed class CountingClock : IDeviceClock
    {
        public int Synchronisations { get; private set; }
        public string Device => "cpu";
        public void Synchronize() => Synchronisations++;
    }

    [Test]
    public void TheCpuClockHasNothingToWaitForACudaClockWaitsForItsOwnDevice()
    {
        Assert.That(DeviceClock.For("cpu"), Is.InstanceOf<HostClock>());
        var waited = new List<int>();
        var clock = DeviceClock.For("cuda:1", waited.Add);
        clock.Synchronize();
        Assert.That(clock, Is.InstanceOf<CudaClock>());
        Assert.That(waited, Is.EqualTo(new[] { 1 }));
        DeviceClock.For("CUDA", waited.Add).Synchronize();
        Assert.That(waited, Is.EqualTo(new[] { 1, 0 }), "plain cuda is device 0");
        Assert.Throws<ArgumentException>(() => DeviceClock.For("tpu"));
    }

    [Test]
    public void EveryBenchmarkWaitsForTheDeviceBeforeItReturns()
    {
        // Every [Benchmark] method of every suite, run once on the tiny model (one short prompt:
        // the naive variants' full-vocabulary logits dominate otherwise) with a clock that counts:
        // BenchmarkDotNet stops its clock when the method returns, so each must have synchronised
        // by then (including the product benchmark, which has no model).
        var suites = typeof(BenchmarkBase).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)).ToList();
        Assert.That(suites, Has.Member(typeof(ActivationPatchingBenchmarks)).And.Member(typeof(MatrixProductBenchmarks)));
        foreach (var suite in suites)
        {
            var instance = Activator.CreateInstance(suite)!;
            var clock = new CountingClock();
            Set(instance, "Clock", clock);
            Set(instance, "Shape", "tiny");
            Set(instance, "Prompts", 1);
            Set(instance, "Tokens", 6);
            Set(instance, "Steps", 2);
            Set(instance, "Product", MatrixProductBenchmarks.ProductNames().Last());
            Call<GlobalSetupAttribute>(instance, null);
            try
            {
                foreach (var method in suite.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
                {
                    Call<IterationSetupAttribute>(instance, method.Name);
                    int before = clock.Synchronisations;
                    method.Invoke(instance, null);
                    Assert.That(clock.Synchronisations, Is.GreaterThan(before), $"{suite.Name}.{method.Name} returns without waiting for the device");
                    Call<IterationCleanupAttribute>(instance, method.Name);
                }
            }
            finally
            {
                Call<GlobalCleanupAttribute>(instance, null);
            }
        }
    }

    private static void Set(object instance, string property, object value) =>
        instance.GetType().GetProperty(property)?.SetValue(instance, value);

    /// <summary>Calls the setup or cleanup methods that apply to <paramref name="target"/> (all targets when it is null).</summary>
    private static void Call<T>(object instance, string? target) where T : Attribute
    {
        foreach (var m in instance.GetType().GetMethods())
            if (m.GetCustomAttribute<T>() is { } a && (a is not TargetedAttribute t || t.Targets is null || t.Targets.Length == 0 || (target is not null && t.Targets.Contains(target))))
                m.Invoke(instance, null);
    }

    [Test]
    public void PeakMemoryComesFromTheHostOnCpuAndFromTheDeviceOnCuda()
    {
        using var host = MemoryGauge.For("cpu");
        Assert.That(host, Is.InstanceOf<HostHighWaterMark>());
        Assert.That(host.Source, Does.Contain("VmHWM"));
        // Choosing the CUDA gauge does not touch the driver (this machine has none); reading it would.
        using var device = MemoryGauge.For("cuda:2");
        Assert.That(device, Is.InstanceOf<CudaDeviceMemory>());
        Assert.That(((CudaDeviceMemory)device).Index, Is.EqualTo(2));
        Assert.That(device.Source, Does.Contain("CUDA device 2"));
        Assert.Throws<ArgumentException>(() => MemoryGauge.For("gpu"));
    }

    [Test]
    public void TheHostPeakIsThatOfTheMeasuredRunNotOfTheSetUp()
    {
        if (!File.Exists("/proc/self/status")) Assert.Ignore("no /proc here: the host gauge reads Linux's process status");
        using var gauge = MemoryGauge.For("cpu");
        const long size = 256L << 20;
        using (var big = ones(size / 4, dtype: ScalarType.Float32)) Assert.That(big.sum().item<float>(), Is.EqualTo(size / 4));
        gauge.ResetPeak();
        long start = gauge.CurrentBytes();
        Assert.That(gauge.PeakBytes(), Is.LessThan(start + size / 2), "the reset forgets the earlier 256 MiB");
        using (var big = ones(size / 4, dtype: ScalarType.Float32)) Assert.That(big.sum().item<float>(), Is.EqualTo(size / 4));
        Assert.That(gauge.PeakBytes(), Is.GreaterThan(start + size * 3 / 4), "a peak during the run is seen after the tensor is gone");
        Assert.That(gauge.Source, Does.Not.Contain("refused"));
    }

    [Test]
    public void IterationCountsFollowTheDevice()
    {
        var cpu = IterationPlan.For("gpt2-small", "cpu");
        var cuda = IterationPlan.For("gpt2-small", "cuda:1");
        Assert.That(cuda.Warmup, Is.GreaterThan(cpu.Warmup), "a GPU's first calls pay for handles, kernel choice and allocator growth");
        Assert.That(cuda.Iterations, Is.GreaterThan(cpu.Iterations), "GPU calls are cheap and jitter with the host's launches");
        Assert.That(IterationPlan.For("tiny", "cpu").OneInvocationPerIteration, Is.False, "millisecond operations are batched into iterations");
        var mixed = IterationPlan.For(["tiny", "gpt2-small"], ["cpu", "cuda"]);
        Assert.That(mixed, Is.EqualTo(new IterationPlan(5, 20, true)), "one job serves every pair: the most any of them needs");
        Assert.Throws<ArgumentException>(() => IterationPlan.For("tiny", "npu"));
    }

    private static BaselineComparison.Entry E(string method, double mean, string device) =>
        new("ActivationPatchingBenchmarks", method, $"Prompts=8&Tokens=20&Shape=tiny&Device={device}", mean, null);

    [Test]
    public void ACudaBaselineIsNeverComparedWithACpuRun()
    {
        // On the GPU the optimised path is 1/20 of the naive one; on the CPU 1/4.
        var baseline = new[] { E("HeadsNaive", 1000, "cuda"), E("Heads", 50, "cuda") };
        var cpuRun = new[] { E("HeadsNaive", 1000, "cpu"), E("Heads", 250, "cpu") };
        var rows = BaselineComparison.Compare(baseline, cpuRun, 0.25);
        Assert.That(rows.Single().Status, Is.EqualTo("new"), "a cpu ratio 5x the cuda one is no regression: there is no cpu baseline");
        Assert.That(rows.Single().BaselineRatio, Is.Null);
        Assert.That(BaselineComparison.OtherDevices(baseline, cpuRun), Is.EqualTo(new[] { "cuda" }));

        // With both devices in the baseline, each run meets its own; cuda:1 is a cuda device.
        BaselineComparison.Entry[] both = [E("HeadsNaive", 1000, "cpu"), E("Heads", 250, "cpu"), .. baseline];
        Assert.That(BaselineComparison.Compare(both, cpuRun, 0.25).Single().BaselineRatio, Is.EqualTo(0.25));
        var gpuRun = new[] { E("HeadsNaive", 1000, "cuda:1"), E("Heads", 100, "cuda:1") };
        var gpuRow = BaselineComparison.Compare(both, gpuRun, 0.25).Single();
        Assert.That((gpuRow.BaselineRatio, gpuRow.Status), Is.EqualTo(((double?)0.05, "REGRESSION")));
        Assert.That(BaselineComparison.OtherDevices(both, gpuRun), Is.EqualTo(new[] { "cpu" }));
    }

    [Test]
    public void BaselineFilesAreKeyedByShapeAndDeviceAndHoldOnlyThoseMeasurements()
    {
        Assert.That(BaselineFile.Name("gpt2-small", "cuda:1", "/x/Concord.Benchmarks.ActivationPatchingBenchmarks-report-full.json"),
            Is.EqualTo("gpt2-small-cuda-Concord.Benchmarks.ActivationPatchingBenchmarks-report-full.json"));
        Assert.That(BaselineFile.Parse("gpt2-small-cpu-Concord.Benchmarks.X-report-full.json"), Is.EqualTo(("gpt2-small", "cpu")));
        Assert.That(BaselineFile.Parse("Concord.Benchmarks.X-report-full.json"), Is.Null, "a fresh export names neither");

        // The committed baselines: every file names its shape and device and holds only those.
        var committed = Path.Combine(Concord.Tasks.ProjectPaths.Root, "benchmarks", "baseline");
        var files = Directory.GetFiles(committed, "*-report-full.json");
        Assert.That(files, Is.Not.Empty);
        Assert.That(files.Select(BaselineFile.Parse), Has.None.Null);
        Assert.That(BaselineComparison.Read(committed), Has.All.Matches<BaselineComparison.Entry>(e => e.DeviceKind == "cpu"));

        // A cpu export copied under a cuda name is refused rather than compared with cuda runs.
        var folder = TempFolder.New();
        var source = files.First(f => Path.GetFileName(f).StartsWith("tiny-cpu-", StringComparison.Ordinal));
        File.Copy(source, Path.Combine(folder, "tiny-cuda-" + Path.GetFileName(source)["tiny-cpu-".Length..]));
        Assert.That(() => BaselineComparison.Read(folder), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("named for tiny on cuda"));
    }
}
