using System.Diagnostics;
using Concord.Model;
using Concord.Model.Training;
using Concord.Tasks.Generators;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Concord.Tasks.Training;

/// <summary>The result of a finished training run, as written to training.json.</summary>
public sealed record TrainingOutcome(int Steps, double FinalLoss, TimeSpan Wall, int VocabularyRows);

/// <summary>
/// Trains the task model: <see cref="HookedGpt2"/> itself (no second implementation of GPT-2) over a
/// compact vocabulary, on the <see cref="TaskMixture"/>, with weighted next-token loss over prompt and
/// answer, AdamW, warm-up and cosine decay, gradient clipping and atomic checkpoints. Saves a
/// standard GPT-2 folder with the full 50,257-token embedding.
/// </summary>
public sealed class TaskModelTrainer(TaskResources resources, WordLists words)
{
    public const string RecordFile = "training.json";

    /// <summary>The files a training writes into its folder when it ends (the checkpoint only while it runs).</summary>
    public static IReadOnlyList<string> WrittenFiles { get; } = ["config.json", "model.safetensors", RecordFile, Evaluation.EvaluationFile.FileName, ModelCard.FileName];
    /// <summary>Training examples per task over which the progress bar's accuracy is taken.</summary>
    public const int AccuracyWindow = 500;
    /// <summary>Checkpoint metadata: the step count the schedule runs to (fixed once, also under --minutes).</summary>
    private const string TotalStepsKey = "concord_total_steps";

    private readonly Dictionary<TaskKind, MetricReadout> _readouts = new();
    private MetricReadout Readout(TaskKind kind) =>
        _readouts.TryGetValue(kind, out var r) ? r : _readouts[kind] = TaskDescriptor.Of(kind).Define(resources).NaturalReadout;

    public TrainingOutcome Train(TrainingRun run, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default,
        Action<int>? afterStep = null)
    {
        run.Validate();
        var preset = run.Preset;
        RequireStart(run);
        PrepareOut(run);
        var clock = Stopwatch.StartNew();
        var mixture = new TaskMixture(preset.Mixture, words, resources, run.HeldOut, TaskOptions.Default);
        var vocabulary = mixture.Vocabulary(resources);
        var shape = preset.Shape(vocabulary.Size);
        string fingerprint = run.Fingerprint(vocabulary.Size);
        string checkpoint = Path.Combine(run.Out, TrainingCheckpoint.FileName);

        using var weights = RandomGpt2.CreateWeights(shape, run.Seed, preset.InitStd);
        foreach (var t in weights.All) t.requires_grad_(true);
        var model = new HookedGpt2(weights);
        using var optimiser = new AdamW(weights.All.ToList(), preset.WeightDecay);
        using var offsets = vocabulary.LogitOffsets(ScalarType.Float32, CPU);

        int start = 0;
        int? total = run.Steps ?? (run.Minutes is null ? preset.Steps : null);
        if (File.Exists(checkpoint))
        {
            if (!run.Resume)
                throw new SettingException(nameof(TrainingRun.Resume), $"is off, but {run.Out} holds a training checkpoint (step {TrainingCheckpoint.Peek(checkpoint).Step}): resume it, or train into another folder");
            (start, var metadata) = TrainingCheckpoint.Load(checkpoint, fingerprint, optimiser);
            total = int.Parse(metadata[TotalStepsKey], System.Globalization.CultureInfo.InvariantCulture);
            progress?.Report(new TrainingProgress(start, total.Value, double.NaN, 0, new Dictionary<TaskKind, double>(), clock.Elapsed, $"resumed at step {start}"));
        }

        var accuracy = preset.Mixture.ToDictionary(m => m.Kind, _ => new Queue<bool>());
        double smoothed = double.NaN, lastLoss = double.NaN;
        var stepClock = Stopwatch.StartNew();
        int step = start;
        void Save(int at) => TrainingCheckpoint.Save(checkpoint, at, fingerprint, optimiser,
            new Dictionary<string, string> { [TotalStepsKey] = total!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        for (; total is null || step < total; step++)
        {
            if (cancel.IsCancellationRequested)
            {
                if (total is not null) Save(step);
                progress?.Report(new TrainingProgress(step, total ?? 0, smoothed, 0, Rates(accuracy), clock.Elapsed, $"stopped at step {step}; checkpoint saved") { Resumable = true });
                cancel.ThrowIfCancellationRequested();
            }
            // --minutes: time the first steps of the warm-up (the schedule does not depend on the
            // total until the warm-up ends), then fix the total, which the checkpoint then carries.
            if (total is null && step == Math.Min(10, preset.WarmupSteps))
            {
                double perStep = stepClock.Elapsed.TotalSeconds / Math.Max(1, step);
                total = Math.Max(step + 1, (int)(run.Minutes!.Value * 60 / perStep));
                progress?.Report(new TrainingProgress(step, total.Value, smoothed, 0, Rates(accuracy), clock.Elapsed,
                    FormattableString.Invariant($"{perStep:F2} s per step: {total} steps fit in {run.Minutes} minutes")));
            }
            var schedule = new LearningRateSchedule(preset.LearningRate, preset.WarmupSteps, total ?? int.MaxValue);
            double lr = schedule.At(step);
            var samples = mixture.Draw(run.Seed, step, preset.BatchSize);
            lastLoss = Step(model, optimiser, vocabulary, offsets, samples, preset, lr, accuracy, HeadDropout.Hooks(model.Config, samples.Count, run.HeadDropout, run.Seed, step));
            smoothed = double.IsNaN(smoothed) ? lastLoss : 0.98 * smoothed + 0.02 * lastLoss;
            if (!double.IsFinite(lastLoss))
                throw new InvalidOperationException($"training diverged at step {step} (loss {lastLoss}); try a smaller learning rate");
            if (total is not null && (step + 1) % preset.CheckpointEvery == 0 && step + 1 < total) Save(step + 1);
            progress?.Report(new TrainingProgress(step + 1, total ?? 0, smoothed, lr, Rates(accuracy), clock.Elapsed));
            afterStep?.Invoke(step + 1);
        }

        WriteModel(run, weights, vocabulary);
        var outcome = new TrainingOutcome(step, lastLoss, clock.Elapsed, vocabulary.Size);
        TrainingRecord.Write(Path.Combine(run.Out, RecordFile), run, outcome, vocabulary);
        File.Delete(checkpoint);
        return outcome;
    }

    /// <summary>
    /// Refuses, before anything is written, what would silently start over or overwrite: --resume with
    /// no checkpoint to continue, and a folder holding a finished model that no checkpoint belongs to.
    /// </summary>
    private static void RequireStart(TrainingRun run)
    {
        bool checkpoint = File.Exists(Path.Combine(run.Out, TrainingCheckpoint.FileName));
        if (run.Resume && !checkpoint)
            throw new SettingException(nameof(TrainingRun.Resume), $"found no training checkpoint ({TrainingCheckpoint.FileName}) in {run.Out} to continue; leave Resume out to start anew");
        // Without a checkpoint the folder is no training's of this run: any file of a name it writes is someone else's.
        if (!checkpoint && !run.Force && WrittenFiles.FirstOrDefault(f => File.Exists(Path.Combine(run.Out, f))) is { } existing)
            throw new SettingException(nameof(TrainingRun.Out), $"{run.Out} holds {existing} already; train into another folder, or set Force to replace it");
    }

    private static void PrepareOut(TrainingRun run)
    {
        try
        {
            Directory.CreateDirectory(run.Out);
            var probe = Path.Combine(run.Out, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            // A checkpoint write killed half-way leaves its temporary (the checkpoint itself is intact).
            foreach (var stale in AtomicFile.TemporariesIn(run.Out).Where(t => Path.GetFileName(t).StartsWith(TrainingCheckpoint.FileName + ".", StringComparison.Ordinal)))
                File.Delete(stale);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UnwritableFolderException(nameof(TrainingRun.Out), run.Out, e);
        }
    }

    private double Step(HookedGpt2 model, AdamW optimiser, CompactVocabulary vocabulary, Tensor offsets,
        IReadOnlyList<TaskSample> samples, TrainingPreset preset, double lr, Dictionary<TaskKind, Queue<bool>> accuracy, HookSet? dropout)
    {
        using var scope = NewDisposeScope();
        var batch = TrainingBatch.Create(samples, vocabulary, resources.Tokenizer, preset.AnswerWeight, model.Config.NPositions);
        var logits = model.Run(batch.Inputs, dropout) + offsets;                                  // [b, t, compact vocab]
        var nll = -F.log_softmax(logits, -1).gather(-1, batch.Targets.unsqueeze(-1)).squeeze(-1);
        var loss = (nll * batch.Weights).sum() / batch.Weights.sum();
        loss.backward();
        optimiser.ClipGradients(preset.ClipNorm);
        optimiser.Step(lr);
        optimiser.ZeroGradients();

        using (no_grad())
        {
            var last = logits.detach()[arange(samples.Count, dtype: ScalarType.Int64), batch.ReadPositions];   // [b, compact vocab]
            foreach (var group in Enumerable.Range(0, samples.Count).GroupBy(i => Readout(samples[i].Kind)))
            {
                var rows = group.ToArray();
                var examples = rows.Select(i => new TaskExample(i, samples[i].Clean, samples[i].Clean,
                    vocabulary.ToCompact(samples[i].Positive), vocabulary.ToCompact(samples[i].Negative))).ToList();
                using var metric = TaskMetric.Create(examples, group.Key);
                var values = metric.Evaluate(last.index_select(0, tensor(rows.Select(i => (long)i).ToArray()))).data<float>().ToArray();
                for (int r = 0; r < rows.Length; r++)
                {
                    var window = accuracy[samples[rows[r]].Kind];
                    window.Enqueue(values[r] > 0);
                    if (window.Count > AccuracyWindow) window.Dequeue();
                }
            }
        }
        return loss.item<float>();
    }

    private static IReadOnlyDictionary<TaskKind, double> Rates(Dictionary<TaskKind, Queue<bool>> accuracy) =>
        accuracy.Where(a => a.Value.Count > 0).ToDictionary(a => a.Key, a => a.Value.Count(x => x) / (double)a.Value.Count);

    /// <summary>Writes config.json and model.safetensors with GPT-2's full vocabulary (<see cref="CompactVocabulary.Expand"/>).</summary>
    private static void WriteModel(TrainingRun run, Gpt2Weights weights, CompactVocabulary vocabulary)
    {
        var config = weights.Config with { VocabSize = vocabulary.FullSize };
        using var embedding = vocabulary.Expand(weights.TokenEmbedding);
        var full = new Gpt2Weights
        {
            Config = config,
            TokenEmbedding = embedding,
            PositionEmbedding = weights.PositionEmbedding,
            Blocks = weights.Blocks,
            LnFinalWeight = weights.LnFinalWeight,
            LnFinalBias = weights.LnFinalBias,
        };
        full.Save(Path.Combine(run.Out, "model.safetensors"), dtype: run.HalfPrecision ? SafetensorsDType.F16 : SafetensorsDType.F32,
            metadata: new Dictionary<string, string> { ["concord_trained"] = run.Preset.Name });
        config.Save(Path.Combine(run.Out, "config.json"));
    }
}
