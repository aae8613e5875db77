using System.Diagnostics;
using Concord.Model;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// `model create-random` checks the shape and the memory it needs before allocating anything, stops
/// on SIGTERM or Ctrl-C with exit 130, and never leaves a partial folder or overwrites a model.
/// </summary>
[TestFixture]
public class CreateRandomTests
{
    private static string NewFolder() => Path.Combine(TempFolder.New(), "model");

    private static void Refused(string[] shape, string fragment)
    {
        var folder = NewFolder();
        ConcordProcess.AssertOneLineError(["model", "create-random", "--out", folder, .. shape], 2, fragment);
        Assert.That(Directory.Exists(folder), Is.False, "nothing is created");
    }

    [TestCase(new[] { "--layers", "1000000" }, "needs about")]
    [TestCase(new[] { "--d-model", "65536", "--layers", "48", "--heads", "64" }, "more than one array can")]
    [TestCase(new[] { "--d-model", "2147483647", "--heads", "1" }, "more than one array can")]
    [TestCase(new[] { "--d-model", "30", "--heads", "4" }, "--d-model 30 is not divisible by --heads 4")]
    [TestCase(new[] { "--layers", "0" }, "--layers must be at least 1 (got 0)")]
    [TestCase(new[] { "--heads", "-2" }, "--heads must be at least 1 (got -2)")]
    [TestCase(new[] { "--vocab", "0" }, "--vocab must be at least 1 (got 0)")]
    public void ImpossibleShapesAreRefusedBeforeAllocating(string[] shape, string fragment)
    {
        var clock = Stopwatch.StartNew();
        Refused(shape, fragment);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "refused up front, not after allocating");
    }

    /// <summary>
    /// The issue's case: 5 billion parameters whose tensors fit the free memory once but not with the
    /// writer's copy, so counting them once let it run for many minutes before failing.
    /// </summary>
    [Test]
    public void AModelThatFitsOnlyWithoutItsFileCopyIsRefusedUpFront()
    {
        var config = new Gpt2Config(100_000, 4, 64, 128, Gpt2Tokenizer.VocabularySize);
        double free = AvailableBytes();
        if (RandomGpt2.Size(config).PeakBytes <= free) Assert.Ignore($"this machine has {free / 1e9:0.#} GB free: the 100000-layer model would fit");
        var clock = Stopwatch.StartNew();
        Refused(["--layers", "100000"], "(5,001,624,768 parameters) needs about 40 GB of memory to create");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    private static double AvailableBytes() =>
        File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal))
            .Select(l => double.Parse(l["MemAvailable:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024).First();

    [TestCase("-TERM")]
    [TestCase("-INT")]
    public void ASignalStopsItWithExit130AndNoPartialFolder(string signal)
    {
        var folder = NewFolder();
        // 3000 blocks: about 20 s of work on one core, far more than the signal needs to arrive.
        using var process = ChildProcess.Start(ConcordProcess.StartInfo("model", "create-random", "--out", folder, "--layers", "3000", "--d-model", "64"));
        Thread.Sleep(TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();
        process.Signal(signal);
        var (code, output, error) = process.Finish(TimeSpan.FromMinutes(1));
        Assert.That(code, Is.EqualTo(130), output + error);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "stops within seconds, not at the end");
        Assert.That(Directory.Exists(folder), Is.False, "no partial model folder");
    }

    [Test]
    public void AnExistingModelIsNeverOverwritten()
    {
        var folder = NewFolder();
        var (code, _, error) = ConcordProcess.Run("model", "create-random", "--out", folder, "--seed", "1");
        Assert.That(code, Is.Zero, error);
        var before = File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));
        ConcordProcess.AssertOneLineError(["model", "create-random", "--out", folder, "--seed", "2"], 2,
            $"{Path.Combine(folder, "config.json")} exists and this command did not write it; choose another --out, or add --force to replace it");
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")), Is.EqualTo(before));
    }
}
