using System.Diagnostics;
using Concord.Model.Training;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Model;

/// <summary>`concord model train` and `model eval` as a user runs them: bad options, a kill mid-run, the finished folder.</summary>
[TestFixture]
public class ModelTrainCommandTests
{
    [TestCase("0")]
    [TestCase("-5")]
    public void NonPositiveSteps(string steps) =>
        ConcordProcess.AssertOneLineError(["model", "train", "--preset", "tiny", "--steps", steps, "--out", TempFolder.New()], 2,
            $"--steps must be at least 1 (got {steps})");

    [Test]
    public void UnknownPreset() =>
        ConcordProcess.AssertOneLineError(["model", "train", "--preset", "gpt5", "--out", TempFolder.New()], 2,
            "unknown preset 'gpt5' (known: tasks-small, tiny)");

    [Test]
    public void StepsAndMinutesTogether() =>
        ConcordProcess.AssertOneLineError(["model", "train", "--preset", "tiny", "--steps", "5", "--minutes", "1", "--out", TempFolder.New()], 2,
            "--steps and --minutes exclude each other");

    [Test]
    public void UnwritableOut()
    {
        // A path below a regular file cannot be created, whoever runs the test (root ignores permissions).
        var file = Path.Combine(TempFolder.New(), "a-file");
        File.WriteAllText(file, "");
        // Refused as every command's output folder is (WritePolicy.Folder), before any work.
        ConcordProcess.AssertOneLineError(["model", "train", "--preset", "tiny", "--out", Path.Combine(file, "model")], 2,
            $"--out {Path.Combine(file, "model")}: {file} is a file, not a folder");
    }

    [Test]
    public void EvalWithoutATrainingRecordCannotFilterByTrainedTokens() =>
        ConcordProcess.AssertOneLineError(["model", "eval", "--model", TestModels.TinyFolder, "--trained-tokens-only"], 2,
            "has no training.json (not trained by Concord)");

    /// <summary>
    /// SIGKILL at an arbitrary moment (here: while checkpoints are being written every 10 steps)
    /// leaves either no checkpoint or a complete one, never a partial file; `--resume` then
    /// finishes and the result equals an uninterrupted run's, bit for bit.
    /// </summary>
    [Test]
    public void KilledThenResumedEqualsUninterrupted()
    {
        string[] Args(string folder, params string[] extra) =>
            ["model", "train", "--preset", "tiny", "--steps", "200", "--seed", "2", "--float32", "--eval-examples", "20", "--out", folder, .. extra];
        var straight = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(Args(straight));
        Assert.That(code, Is.Zero, error);

        var killed = TempFolder.New();
        var checkpoint = Path.Combine(killed, TrainingCheckpoint.FileName);
        using (var process = Process.Start(ConcordProcess.StartInfo(Args(killed)))!)
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(5);
            Thread.Sleep(150);   // into the run, between or during later checkpoint writes
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assume.That(File.Exists(Path.Combine(killed, "model.safetensors")), Is.False, "the run finished before the kill; nothing to test");
        int step = TrainingCheckpoint.Peek(checkpoint).Step;
        Assert.That(step % 10, Is.Zero, "a complete checkpoint of a checkpointing step");
        var file = Concord.Model.SafetensorsFile.Open(checkpoint);
        foreach (var name in file.Entries.Keys) Assert.That(file.ReadBytes(name), Is.Not.Empty, name);
        Assert.That(Directory.GetFiles(killed).Select(Path.GetFileName).Where(f => f != TrainingCheckpoint.FileName),
            Has.All.StartWith(TrainingCheckpoint.FileName + ".tmp-"), "besides the checkpoint, at most the killed write's temporary");

        (code, _, error) = ConcordProcess.Run(Args(killed, "--resume"));
        Assert.That(code, Is.Zero, error);
        Assert.That(File.ReadAllBytes(Path.Combine(killed, "model.safetensors")), Is.EqualTo(File.ReadAllBytes(Path.Combine(straight, "model.safetensors"))));
        Assert.That(Directory.GetFiles(killed, "*.tmp-*"), Is.Empty, "the resumed run clears the killed write's temporary");
    }

    /// <summary>Ctrl-C (SIGINT) mid-run: the current step finishes, a checkpoint of it is written, exit 130; --resume then completes.</summary>
    [Test]
    public void CtrlCSavesACheckpointAndExits130()
    {
        var folder = TempFolder.New();
        var checkpoint = Path.Combine(folder, TrainingCheckpoint.FileName);
        string[] args = ["model", "train", "--preset", "tiny", "--steps", "600", "--float32", "--eval-examples", "10", "--out", folder];
        using (var process = Process.Start(ConcordProcess.StartInfo(args))!)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(5);
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.That(process.WaitForExit(30_000), Is.True, "stopped within seconds of Ctrl-C");
            Assume.That(File.Exists(Path.Combine(folder, "model.safetensors")), Is.False, "the run finished before the signal; nothing to test");
            Assert.That(process.ExitCode, Is.EqualTo(130), error.Result);
            Assert.That(output.Result, Does.Contain("checkpoint saved (continue with --resume)"));
        }
        Assert.That(TrainingCheckpoint.Peek(checkpoint).Step, Is.GreaterThan(0));
        var (code, _, resumeError) = ConcordProcess.Run(TimeSpan.FromMinutes(3), [.. args, "--resume"]);
        Assert.That(code, Is.Zero, resumeError);
        Assert.That(File.Exists(Path.Combine(folder, "model.safetensors")), Is.True);
    }
}
