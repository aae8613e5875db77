using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using System.Diagnostics;
using System.Globalization;
using Concord.Model;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Trust;

/// <summary>The real program under faults: killed, interrupted, damaged files, a second run on the same folder, a broken model.</summary>
[TestFixture, NonParallelizable]
public class FaultTests
{
    private static string[] Run(string output, params string[] changes) => CommandLines.With(
        ["run", "--model", TestModels.TinyFolder, "--task", "ioi,greater-than", "--examples", "4", "--batch-size", "2", "--steps", "16",
         "--neurons", "8", "--sweep", "0.5", "--out", output], changes);

    private static string[] Units(string output) =>
        Directory.Exists(output) ? Directory.GetFiles(output, "*.json", SearchOption.AllDirectories).Where(f => f.Contains("/units/")).ToArray() : [];

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static void WaitFor(Func<bool> condition, Process process, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited) Assert.Fail($"concord exited ({process.ExitCode}) before the fault could be injected: {process.StandardError.ReadToEnd()}");
            if (clock.Elapsed > timeout) Assert.Fail("the run did not get far enough in time");
            Thread.Sleep(20);
        }
    }

    private static void AssertSameOutputs(string a, string b)
    {
        foreach (var task in new[] { "ioi", "greater-than" })
            foreach (var file in new[] { "scores.csv", "agreement.json" })
                Assert.That(RunOutputs.Comparable(Path.Combine(a, task, file)), Is.EqualTo(RunOutputs.Comparable(Path.Combine(b, task, file))), $"{task}/{file}");
    }

    [Test]
    public void AKilledRunResumesAndEqualsAnUninterruptedOne()
    {
        var straight = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(Run(straight));
        Assert.That(code, Is.Zero, error);

        var killed = TempFolder.New();
        using (var process = Process.Start(ConcordProcess.StartInfo(Run(killed)))!)
        {
            WaitFor(() => Units(killed).Length >= 3, process, TimeSpan.FromMinutes(2));
            process.Kill();   // SIGKILL: no handler runs, a write may be cut anywhere
            process.WaitForExit();
        }
        Assume.That(File.Exists(Path.Combine(killed, "report.md")), Is.False, "the run finished before the kill; nothing to test");
        (code, var output, error) = ConcordProcess.Run(Run(killed));
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Match(@"ioi: \d+ units computed, [1-9]\d* reused"), "finished units are reused");
        Assert.That(Directory.GetFiles(killed, "*.tmp-*", SearchOption.AllDirectories), Is.Empty, "no partial file remains");
        AssertSameOutputs(killed, straight);
    }

    [Test]
    public void ADamagedUnitFileIsRecomputedAndReportedInOneLine()
    {
        var output = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(Run(output));
        Assert.That(code, Is.Zero, error);
        var reference = TempFolder.New();
        foreach (var task in new[] { "ioi", "greater-than" })
        {
            Directory.CreateDirectory(Path.Combine(reference, task));
            foreach (var file in new[] { "scores.csv", "agreement.json" }) File.Copy(Path.Combine(output, task, file), Path.Combine(reference, task, file));
        }
        var units = Units(output).Order().ToArray();
        File.WriteAllText(units[0], File.ReadAllText(units[0])[..40]);                         // truncated
        File.WriteAllBytes(units[1], [0, 1, 2, 255, 254]);                                     // garbage
        File.WriteAllText(units[2], File.ReadAllText(units[2]).Replace("\"unit\":", "\"unit\" :"));   // edited

        (code, var stdout, error) = ConcordProcess.Run(Run(output));
        Assert.That(code, Is.Zero, error);
        foreach (var unit in units.Take(3))
            Assert.That(stdout, Does.Contain(Path.GetFileName(unit)).And.Contain("recomputed"), $"{Path.GetFileName(unit)} is reported");
        Assert.That(error, Is.Empty.Or.Not.Contain("Exception"));
        AssertSameOutputs(output, reference);
    }

    [Test]
    public void ASecondRunOnTheSameFolderIsRefusedWhileTheFirstRuns()
    {
        var output = TempFolder.New();
        using var first = Process.Start(ConcordProcess.StartInfo(Run(output, "--steps", "4096")))!;
        try
        {
            WaitFor(() => Units(output).Length >= 1, first, TimeSpan.FromMinutes(2));
            var (code, _, error) = ConcordProcess.Run(Run(output));
            Assert.That(code, Is.EqualTo(1), error);
            Assert.That(error.Trim(), Does.StartWith("error: ").And.Contain("another concord run (or a shard) is writing there"));
            Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
        }
        finally
        {
            first.Kill();
            first.WaitForExit();
        }
        // The lock dies with its process: the folder is usable again at once.
        var (again, _, againError) = ConcordProcess.Run(Run(output, "--task", "ioi", "--examples", "2"));
        Assert.That(again, Is.Zero, againError);
    }

    /// <summary>Ctrl-C inside a long IG unit stops within seconds (between chunks), keeps finished units, exits 130; a second Ctrl-C is harmless.</summary>
    [Test]
    public void CtrlCInsideALongUnitStopsWithinSecondsAndASecondCtrlCIsHarmless()
    {
        var output = TempFolder.New();
        // 4096 Gauss–Legendre nodes over 8 prompts: one IG unit takes far longer than the allowed stop time.
        using var process = Process.Start(ConcordProcess.StartInfo(Run(output, "--steps", "4096", "--memory-budget", "8")))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        WaitFor(() => Units(output).Length >= 1, process, TimeSpan.FromMinutes(2));
        Thread.Sleep(500);
        var clock = Stopwatch.StartNew();
        Signal(process, "-INT");
        Thread.Sleep(100);
        Signal(process, "-INT");
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            // Seen once in a full CI run (not reproduced alone): say where the run was, so the next one can be traced.
            process.Kill();
            process.WaitForExit();
            var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Fail($"did not stop within 30 s of Ctrl-C; stderr: {stderr.Result.Trim()}; last output: {string.Join(" | ", lines.TakeLast(5))}");
        }
        TestContext.Out.WriteLine($"stopped {clock.Elapsed.TotalSeconds:F1} s after Ctrl-C");
        Assert.That(process.ExitCode, Is.EqualTo(130), stderr.Result);
        Assert.That(stderr.Result, Does.Contain("interrupted; finished work is kept").And.Not.Contain("Exception"));
        Assert.That(Directory.GetFiles(output, "*.tmp-*", SearchOption.AllDirectories), Is.Empty, "no partial file");
        _ = stdout.Result;
    }

    [Test]
    public void AReadOnlyOutputFolderIsOneClearError()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("the read-only folder is made with Unix permissions or chattr");
        var output = TempFolder.New();
        // root may write anywhere on a normal file system, but not into an immutable folder (/sys, used
        // before, is now refused up front as a system folder).
        bool root = Environment.UserName == "root";
        if (root && ChildProcess.Run(new ProcessStartInfo("chattr", ["+i", output]), TimeSpan.FromSeconds(30)).Code != 0)
            Assert.Ignore("running as root and chattr +i is not available: no folder here is read-only to root");
        if (!root && !OperatingSystem.IsWindows()) File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            ConcordProcess.AssertOneLineError(Run(Path.Combine(output, "results")), 1, "cannot write there (permission denied)");
        }
        finally
        {
            if (root) ChildProcess.Run(new ProcessStartInfo("chattr", ["-i", output]), TimeSpan.FromSeconds(30));
        }
    }

    [Test]
    public void NaNInTheActivationsNamesTheHook()
    {
        var broken = TempFolder.New();
        using (var weights = Gpt2Weights.Load(Path.Combine(TestModels.TinyFolder, "model.safetensors"), Gpt2Config.Load(Path.Combine(TestModels.TinyFolder, "config.json"))))
        {
            weights.Blocks[1].BOut.fill_(double.NaN);
            weights.Save(Path.Combine(broken, "model.safetensors"));
            weights.Config.Save(Path.Combine(broken, "config.json"));
        }
        ConcordProcess.AssertOneLineError(["run", "--model", broken, "--task", "ioi", "--examples", "2", "--sweep", "none", "--out", TempFolder.New()], 3,
            "activations at blocks.1.");
    }
}
