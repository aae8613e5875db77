using Concord.Methods.Attribution;
using Concord.Methods.Interventions;
using Concord.Methods.Pipeline;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Studies;
using Concord.Studies.Running;
using Concord.Tasks;
using Concord.Tests.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Studies;

/// <summary>
/// A pass of the test's own, given to one study after the built-in ones: its units are numbered after
/// theirs, computed in the one unit loop, written in its own unit format, read back on resume, and its
/// setting is in the study's identity. Nothing of src knows it.
/// </summary>
[TestFixture, NonParallelizable]
public class UserPassTests
{
    /// <summary>One MLP layer's output zeroed on every prompt, one unit per batch of the attribution.</summary>
    private sealed class ZeroMlpPass(int layer) : IStudyPass
    {
        public string Id => "zero-mlp";
        public string Fingerprint(StudyOptions options) => $"layer={layer}";
        public IReadOnlyList<UnitFormat> Formats => [StoredZeroed.Format];
        public int UnitCount(StudyOptions options, int examples) => options.Pipeline.BatchCount(examples);

        public IPassOutcome? Run(PassRun run)
        {
            if (run.AfterAttribution is not { } selection || run.Result<TaskResult>(AttributionStudyPass.PassId) is not { } attribution) return null;
            var (study, task) = (run.Study, run.Task);
            var byRow = task.Examples.ToDictionary(e => e.Row);
            var unit = new ZeroUnit(layer);
            var slots = attribution.Batches.Select(b => new BatchSlots(b.Rows,
                AttributionPipeline.BatchKey(study.ModelFingerprint, task.Kind, task.DataFingerprint, task.Dataset.Readout, b.Rows), [unit])).ToList();
            var loop = new UnitLoop(run.Store, study.Options.Pipeline, task.Kind, run.Progress, run.Cancel);
            var found = loop.Run(slots, run.FirstUnit, selection, (b, _) =>
            {
                var batch = TaskBatch.Create(task.Dataset, slots[b].Rows.Select(r => byRow[r]).ToList(), study.Resources.Tokenizer, study.Model.DType, study.Model.Device);
                try
                {
                    var context = AttributionContext.Create(study.Model, batch, [TargetSpace.Mlp], study.Options.Pipeline.Attribution);
                    return new BatchWork(() => context.RunsCounted, (_, _) => new Zeroed(context.BaseMetric.ToDoubles(),
                        Intervention.Metrics(context, TargetSpace.Mlp, Enumerable.Range(0, context.Batch)
                            .Select(p => new InterventionRow(p, [new Target(layer, TargetSpace.Mlp, 0, null)])).ToList(), Ablation.Zero)), batch, context);
                }
                catch
                {
                    batch.Dispose();   // the context owns the batch's tensors only once it exists
                    throw;
                }
            });
            return loop.Outcome(found.Complete() ? Enumerable.Range(0, slots.Count).Select(b => found.Get<Zeroed>(b, 0)).ToList() : null);
        }
    }

    private sealed record Zeroed(double[] Base, double[] Metric) : UnitResult;

    private sealed record ZeroUnit(int Layer) : WorkUnit
    {
        public override string Name => "zero-mlp";
        public override string Fingerprint(PipelineOptions options) => $"{base.Fingerprint(options)}|layer={Layer}";
        public override bool Matches(UnitResult result, int prompts) => result is Zeroed z && z.Base.Length == prompts && z.Metric.Length == prompts;
    }

    private sealed record StoredZeroed(double[] Base, double[] Metric) : StoredUnit
    {
        public static UnitFormat Format { get; } = UnitFormat.Of<Zeroed, StoredZeroed>("zero-mlp", z => new StoredZeroed(z.Base, z.Metric));
        public override UnitResult ToResult() => new Zeroed(StoredFields.Required(Base), StoredFields.Required(Metric));
    }

    [Test]
    public void APassGivenToOneStudyIsNumberedStoredResumedAndFingerprinted()
    {
        var pipeline = new PipelineOptions { Methods = [Method.Ap], Spaces = [TargetSpace.Mlp], SweepScales = [], BatchSize = 2 };
        var builtIn = new StudyOptions { Tasks = [TaskKind.CapitalCountry], Examples = 3, Pipeline = pipeline };
        var options = builtIn with { Passes = [.. StudyPasses.BuiltIn, new ZeroMlpPass(layer: 1)] };
        var (gpt, resolved) = TestModels.LoadTiny(ScalarType.Float64);
        using var _ = gpt;
        var study = Study.Prepare(gpt, resolved, "cpu", options);
        var plain = Study.Prepare(gpt, resolved, "cpu", builtIn);
        Assert.That(study.UnitCount, Is.EqualTo(plain.UnitCount + 2), "one unit per batch (two batches), after the built-in passes' units");
        Assert.That(study.Options.Identity(), Does.Contain(("passes", "zero-mlp:layer=1")));
        Assert.That(Study.Prepare(gpt, resolved, "cpu", builtIn with { Passes = [.. StudyPasses.BuiltIn, new ZeroMlpPass(layer: 0)] }).Fingerprint,
            Is.Not.EqualTo(study.Fingerprint), "the pass's own setting is in the study's fingerprint");
        Assert.That(plain.Options.Identity().Select(i => i.Name), Does.Not.Contain("passes"), "a study of the built-in passes names none, as before");
        Assert.That(Concord.Studies.Outputs.StudyDescription.Rows(study), Does.Contain(("passes beyond the built-in ones", "zero-mlp (layer=1)")), "the report's options say so");
        Assert.That(Concord.Studies.Outputs.StudyDescription.Rows(plain).Select(r => r.Name), Does.Not.Contain("passes beyond the built-in ones"));

        var output = TempFolder.New("user-pass");
        var first = StudyRun.Execute(study, new StudyOutput(output)).Tasks.Single();
        var zeroed = first.ResultOf<List<Zeroed>>("zero-mlp")!;
        var attribution = first.ResultOf<TaskResult>(AttributionStudyPass.PassId)!;
        // The pass's clean run is the attribution's: the same forward of the same batch, to the last bit.
        Assert.That(zeroed.SelectMany(z => z.Base), Is.EqualTo(attribution.Batches.SelectMany(b => b.Metrics.Base)));
        Assert.That(zeroed.SelectMany(z => z.Metric.Zip(z.Base, (m, b) => m - b)), Has.Some.Not.EqualTo(0.0), "zeroing an MLP moves the metric");
        Assert.That(first.Costs.ContainsKey("zero-mlp"));

        Assert.That(() => Study.Prepare(gpt, resolved, "cpu", builtIn with { Passes = [new ZeroMlpPass(1), .. StudyPasses.BuiltIn] }),
            Throws.ArgumentException.With.Message.Contains("start with the built-in ones"), "a pass before them would renumber their units under the same identity");
        Assert.That(() => Study.Prepare(gpt, resolved, "cpu", builtIn with { Passes = [.. StudyPasses.BuiltIn, new ZeroMlpPass(0), new ZeroMlpPass(1)] }),
            Throws.ArgumentException.With.Message.Contains("two passes have the id 'zero-mlp'"));

        var again = StudyRun.Execute(Study.Prepare(gpt, resolved, "cpu", options), new StudyOutput(output)).Tasks.Single();
        Assert.That(again.ComputedUnits, Is.Zero, "every unit read back, the pass's through its own format");
        Assert.That(again.ResultOf<List<Zeroed>>("zero-mlp")!.SelectMany(z => z.Metric), Is.EqualTo(zeroed.SelectMany(z => z.Metric)));
    }
}
