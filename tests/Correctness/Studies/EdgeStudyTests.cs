using Concord.Methods.Edges;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Model.Edges;
using Concord.Studies;
using Concord.Tasks;
using Concord.Tasks.Models;
using Concord.Tests.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Studies;

/// <summary>Edges through <see cref="Study"/>: every method's units per batch, resumed from the store, and the same scores as the methods called directly.</summary>
[TestFixture, NonParallelizable]
public class EdgeStudyTests
{
    private static StudyOptions Options() => new()
    {
        Tasks = [TaskKind.CapitalCountry],
        Examples = 4,
        Pipeline = new PipelineOptions { Methods = [], Spaces = [], BatchSize = 2 },
        Edges = new EdgeOptions(),
    };

    [Test]
    public void EdgesAloneRunEveryMethodPerBatchAndResumeFromTheStore()
    {
        var (gpt, resolved) = TestModels.LoadTiny(ScalarType.Float64);
        using var _ = gpt;
        var store = new MemoryUnitStore();
        var study = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options());
        var first = study.Run(_ => store, UnitSelection.All).Tasks.Single();
        var edges = first.Edges!;
        Assert.That(edges.Methods, Is.EqualTo(EdgeMethodCatalogue.BuiltIn.Select(m => m.Id())));
        Assert.That(edges.Graph.EdgeCount, Is.EqualTo(EdgeGraph.CountFor(TestModels.TinyConfig.NLayer, TestModels.TinyConfig.NHead)));
        Assert.That(edges.Prompts, Is.EqualTo(4));
        Assert.That(edges.CompletenessMet, Is.True);
        // 2 batches × (4 methods + the faithfulness circuits), plus the node pass's metrics unit per batch.
        Assert.That(first.ComputedUnits, Is.EqualTo(2 * (4 + 1) + 2));
        var faithfulness = edges.Faithfulness!;
        Assert.That(faithfulness.Undefined, Is.Null);
        Assert.That(faithfulness.Curves.Select(c => c.Method).Distinct(), Is.EqualTo(EdgeMethodCatalogue.BuiltIn.Select(m => m.Id())));
        Assert.That(faithfulness.Curves.All(c => c.Rows[^1].Faithfulness == 1), Is.True, "every edge kept is the base run exactly");

        var again = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options()).Run(_ => store, UnitSelection.All).Tasks.Single();
        Assert.That(again.ComputedUnits, Is.Zero, "every unit is read back");
        foreach (var method in EdgeMethodCatalogue.BuiltIn.Select(m => m.Id()))
            Assert.That(again.Edges!.Scores[method].Values, Is.EqualTo(edges.Scores[method].Values), method);
        Assert.That(again.Edges!.Faithfulness!.Curves.Select(c => c.Cpr), Is.EqualTo(faithfulness.Curves.Select(c => c.Cpr)));

        // The first batch's AP equals exact patching called directly on that batch.
        var task = study.Tasks.Single();
        var batch = AttributionPipeline.Batches(study.Options.Pipeline, task.Examples, study.Resources.Tokenizer)[0];
        using var taskBatch = TaskBatch.Create(task.Dataset, batch, study.Resources.Tokenizer, gpt.DType, gpt.Device);
        using var context = EdgeContext.Create(gpt, taskBatch.Clean, taskBatch.Corrupted, taskBatch.Metric);
        var direct = ExactEdgePatching.Attribute(context);
        for (int b = 0; b < batch.Length; b++)
            for (int e = 0; e < direct.Graph.EdgeCount; e++)
                Assert.That(edges.Scores[ExactEdgePatching.Id].Values[b, e], Is.EqualTo(direct.Values[b, e]));
    }

    [Test]
    public void TheEdgeOptionsAreInTheFingerprint()
    {
        var (gpt, resolved) = TestModels.LoadTiny(ScalarType.Float64);
        using var _ = gpt;
        var a = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options());
        var b = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options() with { Edges = new EdgeOptions { EapIgSteps = 7 } });
        var none = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", Options() with { Edges = null });
        Assert.That(new[] { a.Fingerprint, b.Fingerprint, none.Fingerprint }.Distinct().Count(), Is.EqualTo(3));
    }

    /// <summary>
    /// An edge method of the test's own (half of EAP's scores, so every number of it is known from
    /// EAP's), added to a catalogue given to one study: it is scored per batch under its own unit,
    /// compared with the reference, and written to agreement.json and report.md, with no edge code changed.
    /// </summary>
    [Test]
    public void AnEdgeMethodAddedToTheCatalogueIsScoredComparedAndReported()
    {
        var half = new EdgeMethod("eap-half", "EAP½", (context, _) =>
        {
            var eap = EdgeAttributionPatching.Attribute(context);
            var values = (double[,])eap.Values.Clone();
            for (int b = 0; b < eap.Prompts; b++)
                for (int e = 0; e < eap.Graph.EdgeCount; e++) values[b, e] /= 2;
            return eap with { Method = "eap-half", Values = values };
        });
        var catalogue = EdgeMethodCatalogue.BuiltIn.With(half);
        var options = Options() with { Edges = new EdgeOptions { Catalogue = catalogue, Methods = [EdgeMethod.Ap, EdgeMethod.Eap, half], Faithfulness = false } };
        var (gpt, resolved) = TestModels.LoadTiny(ScalarType.Float64);
        using var _ = gpt;
        var output = Path.Combine(TempFolder.New("edge-method"), "out");
        var outcome = Concord.Studies.Running.StudyRun.Execute(Concord.Studies.Study.Prepare(gpt, resolved, "cpu", options), new StudyOutput(output)).Tasks.Single();
        var edges = outcome.Edges!;
        Assert.That(edges.Methods, Is.EqualTo(new[] { "ap", "eap", "eap-half" }));
        Assert.That(edges.Pairs, Is.EqualTo(new[] { ("ap", "eap"), ("ap", "eap-half") }));
        var (eap, mine) = (edges.Scores["eap"].Values, edges.Scores["eap-half"].Values);
        for (int b = 0; b < edges.Prompts; b++)
            for (int e = 0; e < edges.Graph.EdgeCount; e++) Assert.That(mine[b, e], Is.EqualTo(eap[b, e] / 2));

        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "capital-country", Concord.Studies.Outputs.AgreementJsonExporter.FileName)))!["edges"]!;
        Assert.That(json["methods"]!.AsArray().Select(m => (string?)m), Is.EqualTo(new[] { "ap", "eap", "eap-half" }));
        var pairs = json["agreement"]!.AsArray();
        Assert.That(pairs.Select(p => (string?)p!["pair"]), Is.EqualTo(new[] { "ap–eap", "ap–eap-half" }));
        // Halving every score changes no rank and no correlation: EAP½ agrees with AP exactly as EAP does.
        Assert.That(pairs[1]!["pooled"]!.ToJsonString(), Is.EqualTo(pairs[0]!["pooled"]!.ToJsonString()));
        var report = File.ReadAllText(Path.Combine(output, Concord.Studies.Outputs.Report.FileName));
        Assert.That(report, Does.Contain("| ap–eap-half |"));

        // scores.csv: per method, prompt and edge, the receiver's layer (the logits': the layer count), kind "edge", the EAP-IG name, no position.
        var rows = File.ReadAllLines(Path.Combine(output, "capital-country", Concord.Studies.Outputs.ScoresCsvExporter.FileName)).Skip(1).Where(l => l.Split(',')[2] == "edge").ToList();
        Assert.That(rows, Has.Count.EqualTo(3 * edges.Prompts * edges.Graph.EdgeCount));
        var graph = edges.Graph;
        int last = graph.EdgeCount - 1, prompt = edges.Rows.SelectMany(r => r).Last();
        string Value(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(rows[0], Is.EqualTo($"{edges.Rows[0][0]},0,edge,{graph[0].Name},,ap,{Value(edges.Scores["ap"].Values[0, 0])}"));
        Assert.That(graph[last].To.Kind, Is.EqualTo(ReceiverKind.Logits));
        Assert.That(rows[^1], Is.EqualTo($"{prompt},{graph.Layers},edge,{graph[last].Name},,eap-half,{Value(mine[edges.Prompts - 1, last])}"));
    }

    [Test]
    public void TheBuiltInEdgeMethodsKeepTheirUnitKeys()
    {
        // The text hashed into the edge units' keys before the methods were descriptors (a resumed run reuses its units).
        var options = new EdgeOptions { EapIgSteps = 7, IgTolerance = 1e-4, IgCap = 100 };
        Assert.That(options.Id(), Is.EqualTo("ap:|ablation=resample;ig:tau=0.0001|cap=100|ablation=resample;eap:|ablation=resample;eap-ig:steps=7|ablation=resample;faithfulness:random=3"));
        var pipeline = new PipelineOptions();
        Assert.That(AttributionPipeline.UnitKeyText("B", new EdgeUnit(EdgeMethod.Ap, options), pipeline), Is.EqualTo("B|ap-edges|direction=noising|per-position=no||ablation=resample"));
        Assert.That(AttributionPipeline.UnitKeyText("B", new EdgeUnit(EdgeMethod.Ig, options), pipeline),
            Is.EqualTo("B|ig-edges|direction=noising|per-position=no|tau=0.0001|cap=100|ablation=resample"));
        Assert.That(AttributionPipeline.UnitKeyText("B", new EdgeUnit(EdgeMethod.EapIg, options), pipeline), Is.EqualTo("B|eap-ig-edges|direction=noising|per-position=no|steps=7|ablation=resample"));
        Assert.That(AttributionPipeline.UnitKeyText("B", new EdgeCircuitUnit(options, "p", 3), pipeline),
            Is.EqualTo("B|faithfulness-edges|direction=noising|per-position=no|ablation=resample|plan=p"));
    }

    /// <summary>
    /// Mean ablation through a shard and a merge: the shard stores every score unit and leaves the
    /// circuits, and the merge, which computes no score, runs the circuits from the senders' means it
    /// computes then (the pass used to hand them a mean it had computed only with a score).
    /// </summary>
    [Test]
    public void AMergeRunsTheMeanAblatedCircuitsOfAShardsScores()
    {
        var (gpt, resolved) = TestModels.LoadTiny(ScalarType.Float64);
        using var _ = gpt;
        var options = Options() with { Edges = new EdgeOptions { Methods = [EdgeMethod.Ap, EdgeMethod.Eap], Ablation = EdgeAblation.Mean, RandomRankings = 1 } };
        var store = new MemoryUnitStore();
        var study = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", options);
        var shard = study.Run(_ => store, new Shard(0, 1)).Tasks.Single();
        Assert.That(shard.Edges!.Faithfulness, Is.Null, "a shard leaves the circuits to the merge");
        var merged = study.Run(_ => store, UnitSelection.Merge).Tasks.Single();
        Assert.That(merged.Edges!.Faithfulness, Is.Not.Null);
        Assert.That(merged.ComputedUnits, Is.EqualTo(2), "the circuits of each of the two batches, and no score");
        var whole = Concord.Studies.Study.Prepare(gpt, resolved, "cpu", options).Run().Tasks.Single();
        Assert.That(merged.Edges.Faithfulness!.Curves.Select(c => c.Cpr), Is.EqualTo(whole.Edges!.Faithfulness!.Curves.Select(c => c.Cpr)), "as one process computes them");
    }
}
