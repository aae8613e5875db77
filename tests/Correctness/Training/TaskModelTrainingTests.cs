using Concord.Model;
using Concord.Model.Training;
using Concord.Tasks;
using Concord.Tasks.Generators;
using Concord.Tasks.Training;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Training;

/// <summary>`concord model train` on the tiny preset, which runs in seconds: it learns, resumes exactly, checkpoints atomically.</summary>
[TestFixture]
public class TaskModelTrainingTests
{
    private static readonly TaskResources Resources = new();
    private static TaskModelTrainer Trainer => new(Resources, new WordLists(Path.Combine(Resources.DatasetsFolder, "words")));

    private static string NewFolder() => Path.Combine(TempFolder.New("train"), "model");

    private static TrainingRun Tiny(string folder, int steps, bool resume = false) =>
        new(TrainingPreset.Tiny, folder, Seed: 3, Steps: steps, Resume: resume, HalfPrecision: false);

    [Test]
    public void AFewStepsLowerTheLoss()
    {
        var losses = new List<double>();
        var outcome = Trainer.Train(Tiny(NewFolder(), 40), new SynchronousProgress(p => { if (p.Event is null) losses.Add(p.Loss); }));
        // The first report is the first batch's loss itself: ≈ ln 50,257 at initialisation, because
        // the shared row's ln(unused) offset makes the compact model uniform over the *full*
        // vocabulary. The smoothed loss after 40 steps of lr 3e-3 must be clearly below it.
        Assert.That(losses[0], Is.EqualTo(Math.Log(Gpt2Tokenizer.VocabularySize)).Within(0.5), "initial loss ≈ uniform over GPT-2's vocabulary");
        Assert.That(losses[^1], Is.LessThan(losses[0] - 1.0), $"loss {losses[0]:F3} → {losses[^1]:F3}");
        Assert.That(outcome.Steps, Is.EqualTo(40));
    }

    [Test]
    public void ResumingAfterAnInterruptionGivesTheUninterruptedWeights()
    {
        var straight = NewFolder();
        Trainer.Train(Tiny(straight, 24));

        var interrupted = NewFolder();
        using (var cancel = new CancellationTokenSource())
        {
            // Stop between checkpoints (every 10 steps), so the stop itself must save the state.
            Assert.That(() => Trainer.Train(Tiny(interrupted, 24), afterStep: s => { if (s == 17) cancel.Cancel(); }, cancel: cancel.Token),
                Throws.InstanceOf<OperationCanceledException>());
        }
        Assert.That(TrainingCheckpoint.Peek(Path.Combine(interrupted, TrainingCheckpoint.FileName)).Step, Is.EqualTo(17));
        Assert.That(() => Trainer.Train(Tiny(interrupted, 24)), Throws.InstanceOf<Concord.Model.SettingException>().With.Property("Setting").EqualTo("Resume"),
            "a checkpoint is never silently overwritten");
        Trainer.Train(Tiny(interrupted, 24, resume: true));

        Assert.That(File.ReadAllBytes(Path.Combine(interrupted, "model.safetensors")),
            Is.EqualTo(File.ReadAllBytes(Path.Combine(straight, "model.safetensors"))), "bit-identical weights");
        Assert.That(File.Exists(Path.Combine(interrupted, TrainingCheckpoint.FileName)), Is.False, "the checkpoint is removed once the model is written");
    }

    /// <summary>Head dropout draws its masks from (seed, step): a resumed run drops the same heads, and the weights differ from training without it.</summary>
    [Test]
    public void WithHeadDropoutResumingGivesTheUninterruptedWeights()
    {
        var straight = NewFolder();
        Trainer.Train(Tiny(straight, 14) with { HeadDropout = 0.3 });
        var interrupted = NewFolder();
        using (var cancel = new CancellationTokenSource())
            Assert.That(() => Trainer.Train(Tiny(interrupted, 14) with { HeadDropout = 0.3 }, afterStep: s => { if (s == 7) cancel.Cancel(); }, cancel: cancel.Token),
                Throws.InstanceOf<OperationCanceledException>());
        Trainer.Train(Tiny(interrupted, 14, resume: true) with { HeadDropout = 0.3 });
        Assert.That(File.ReadAllBytes(Path.Combine(interrupted, "model.safetensors")), Is.EqualTo(File.ReadAllBytes(Path.Combine(straight, "model.safetensors"))));
        var plain = NewFolder();
        Trainer.Train(Tiny(plain, 14));
        Assert.That(File.ReadAllBytes(Path.Combine(plain, "model.safetensors")), Is.Not.EqualTo(File.ReadAllBytes(Path.Combine(straight, "model.safetensors"))), "dropout changes training");
    }

    [Test]
    public void ACheckpointFromOtherOptionsIsRefused()
    {
        var folder = NewFolder();
        using (var cancel = new CancellationTokenSource())
            Assert.That(() => Trainer.Train(Tiny(folder, 20), afterStep: s => { if (s == 5) cancel.Cancel(); }, cancel: cancel.Token),
                Throws.InstanceOf<OperationCanceledException>());
        Assert.That(() => Trainer.Train(Tiny(folder, 25, resume: true)),
            Throws.ArgumentException.With.Message.Contains("other options"));
    }

    [Test]
    public void CheckpointsAreCompleteFilesWithNoTemporaryLeftBehind()
    {
        var folder = NewFolder();
        var seen = new List<int>();
        var checkpoint = Path.Combine(folder, TrainingCheckpoint.FileName);
        using var cancel = new CancellationTokenSource();
        Assert.That(() => Trainer.Train(Tiny(folder, 40), cancel: cancel.Token, afterStep: s =>
        {
            // After every step: either no checkpoint yet, or a complete one (header, tensors and
            // step readable) and no temporary sibling.
            if (File.Exists(checkpoint))
            {
                seen.Add(TrainingCheckpoint.Peek(checkpoint).Step);
                var file = SafetensorsFile.Open(checkpoint);
                foreach (var name in file.Entries.Keys) Assert.That(file.ReadBytes(name), Is.Not.Empty);
            }
            Assert.That(Directory.GetFiles(folder, "*.tmp*"), Is.Empty, $"step {s}");
            if (s == 25) cancel.Cancel();
        }), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(seen.Distinct(), Is.EqualTo(new[] { 10, 20 }), "checkpoints every 10 steps");
        Assert.That(TrainingCheckpoint.Peek(checkpoint).Step, Is.EqualTo(25), "and one at the stop");
    }

    [Test]
    public void TheSavedModelIsAStandardGpt2FolderWithTheFullVocabulary()
    {
        var folder = NewFolder();
        Trainer.Train(Tiny(folder, 3) with { HalfPrecision = true });
        var config = Gpt2Config.Load(Path.Combine(folder, "config.json"));
        Assert.That(config.VocabSize, Is.EqualTo(Gpt2Tokenizer.VocabularySize));
        Assert.That(SafetensorsFile.Open(Path.Combine(folder, "model.safetensors")).Entries.Values.Select(e => e.DType).Distinct(),
            Is.EqualTo(new[] { SafetensorsDType.F16 }));
        using var model = HookedGpt2.Load(folder, TorchSharp.torch.ScalarType.Float64);
        Assert.That(TrainingRecord.TryRead(folder)!.TrainedTokens, Does.Contain(Gpt2Tokenizer.EndOfText));
    }

    [Test]
    public void MinutesFixTheStepCountOnceAndRecordIt()
    {
        var folder = NewFolder();
        var events = new List<string>();
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        TrainingOutcome outcome;
        try
        {
            // Under a culture with a decimal comma: the event says "0.02 minutes" whatever the user's locale.
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
            outcome = Trainer.Train(new TrainingRun(TrainingPreset.Tiny, folder, Seed: 1, Minutes: 0.02, HalfPrecision: false),
                new SynchronousProgress(p => { if (p.Event is not null) events.Add(p.Event); }));
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = culture; }
        Assert.That(events, Has.Some.Contains("steps fit in 0.02 minutes"));
        Assert.That(outcome.Steps, Is.GreaterThanOrEqualTo(TrainingPreset.Tiny.WarmupSteps), "at least the timed warm-up steps");
        Assert.That(TrainingRecord.TryRead(folder)!.Steps, Is.EqualTo(outcome.Steps), "recorded, so --steps reproduces the run");
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void NonPositiveStepsAreRefused(int steps) =>
        Assert.That(() => Trainer.Train(Tiny(NewFolder(), steps)), Throws.InstanceOf<Concord.Model.SettingException>().With.Message.EqualTo($"Steps must be at least 1 (got {steps})"));

    [Test]
    public void UnknownPresetIsRefused() =>
        Assert.That(() => TrainingPreset.Parse("huge"), Throws.ArgumentException.With.Message.EqualTo("unknown preset 'huge' (known: tasks-small, tiny)"));

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the tests need every report, in order.</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
