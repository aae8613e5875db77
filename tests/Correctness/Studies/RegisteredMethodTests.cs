using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using System.Globalization;
using System.Text.Json.Nodes;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Results;
using Concord.Studies;
using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks;
using Concord.Tasks.Models;
using Concord.Tests.Support;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Studies;

/// <summary>
/// A method is described once and every part of the study iterates the catalogue it is given: a
/// method that exists only in this test project, in this test's catalogue, runs through
/// <see cref="Concord.Studies.Study"/>, is compared with AP, and appears in agreement.json,
/// scores.csv and the report, without a line of src/ knowing it.
/// </summary>
[TestFixture, NonParallelizable]
public class RegisteredMethodTests
{
    /// <summary>Gradient × activation at the base run, Σ_{i∈c} a_i ∂F/∂x_i(a): the "input × gradient" saliency of the literature.</summary>
    private sealed class GradientTimesActivation : IAttributionMethod
    {
        public Method Method => Registered;

        public MethodResult Attribute(AttributionContext context, TargetSpace kind) => MethodResult.FromLayers(Registered, kind,
            Enumerable.Range(0, context.Model.Config.NLayer).Select(layer =>
            {
                using var scope = NewDisposeScope();
                var layout = new ComponentLayout(kind, context.Model.Config);
                var a = context.BaseActivation(layout, layer);
                var x = a.detach().requires_grad_(true);
                var metric = context.MetricFrom(layout, layer, x, 1, prefixUnchanged: true);
                var gradient = torch.autograd.grad([metric.sum()], [x])[0];
                return new LayerScores(layer, ScoreSet.FromLayer(Registered.Id(), kind, layer, layout.SumToComponents(a * gradient, context.Options.PerPosition)));
            }));
    }

    private static readonly Method Registered = new("grad-x-act", "G×A", (_, _) => new GradientTimesActivation(),
        spaces: [TargetSpace.Head, TargetSpace.Mlp]);

    [Test]
    public void ATestOnlyMethodRunsThroughTheStudyAndReachesEveryOutput()
    {
        var options = new StudyOptions
        {
            Tasks = [TaskKind.CapitalCountry],
            Examples = 3,
            Pipeline = new PipelineOptions
            {
                Methods = [Method.Ig, Method.Ap, Registered],
                MethodCatalogue = MethodCatalogue.BuiltIn.With(Registered),
                Spaces = [TargetSpace.Head, TargetSpace.Mlp, TargetSpace.Neuron],
                Ig = IgSettings.FixedNodes(4),
                NeuronsPerLayer = 4,
                SweepScales = [],
                BatchSize = 2,
            },
        };
        var model = ModelResolver.Resolve(TestModels.TinyFolder, new ModelStore());
        using var gpt = HookedGpt2.Load(model.Folder, ScalarType.Float64);
        var study = Concord.Studies.Study.Prepare(gpt, model, "cpu", options);
        var result = study.Run();
        var task = result.Tasks.Single();
        var analysis = task.Analysis!;

        // Units: one per kind the method scores (neurons are not among them), reused by key like any other.
        Assert.That(options.Pipeline.UnitsPerBatch().Select(u => u.Name), Does.Contain("grad-x-act-head").And.Contain("grad-x-act-mlp").And.Not.Contain("grad-x-act-neuron"));
        Assert.That(analysis.Agreements.Select(p => p.Label), Does.Contain("G×A↔AP"));
        Assert.That(analysis.Agreements.Where(p => p.First == Registered).Select(p => p.Space), Is.EquivalentTo(new[] { TargetSpace.Head, TargetSpace.Mlp }));
        var scores = analysis.Result.Batches[0].Scores(Registered, TargetSpace.Head)!;
        Assert.That(scores.Targets, Has.Count.EqualTo(gpt.Config.NLayer * gpt.Config.NHead));
        Assert.That(Enumerable.Range(0, scores.Prompts).SelectMany(scores.Row), Has.Some.Not.EqualTo(0.0), "the method computed something");

        // Where the time went: every computed unit is counted, with IG's nodes (2 batches × layers × 4 nodes).
        Assert.That(task.Costs["grad-x-act-head"].Units, Is.EqualTo(2));
        Assert.That(task.Costs["ig-head"].IgNodes, Is.EqualTo(2 * gpt.Config.NLayer * 4));
        Assert.That(task.Costs["ap-head"].Runs, Is.GreaterThan(0));

        // Every output through the library's exporters, as `concord run` writes them: no CLI type involved.
        var output = TempFolder.New("registered-method");
        var export = new StudyExport(study, new StudyOutput(output));
        foreach (var exporter in StudyExporters.All) exporter.TaskFinished(export, task);
        foreach (var exporter in StudyExporters.All) exporter.StudyFinished(export, result);
        var agreement = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "capital-country", AgreementJsonExporter.FileName)))!;
        Assert.That(agreement["agreement"]!.AsArray().Select(p => (string?)p!["pair"]), Does.Contain("G×A↔AP"));
        Assert.That(File.ReadLines(Path.Combine(output, "capital-country", ScoresCsvExporter.FileName)).Count(l => l.EndsWith("grad-x-act", StringComparison.Ordinal) || l.Contains(",grad-x-act,")),
            Is.EqualTo(3 * gpt.Config.NLayer * (gpt.Config.NHead + 1)), "every prompt × head and MLP layer");
        var report = File.ReadAllText(Path.Combine(output, Report.FileName));
        Assert.That(report, Does.Contain("G×A↔AP"));
        Assert.That(JsonNode.Parse(File.ReadAllText(Path.Combine(output, RunRecord.FileName)))!["cost"]!["capital-country"]!["grad-x-act-head"], Is.Not.Null, "run.json counts its units");
    }

    /// <summary>report.md says numbers the same way on every machine: under de-DE it is the same text as under the invariant culture.</summary>
    [Test]
    public void TheReportIsTheSameTextUnderEveryCulture()
    {
        var options = new StudyOptions
        {
            Tasks = [TaskKind.GreaterThan],
            Examples = 2,
            Pipeline = new PipelineOptions { Spaces = [TargetSpace.Head, TargetSpace.Mlp], Ig = IgSettings.FixedNodes(4), SweepScales = [0.5, 1], SweepSpaces = [TargetSpace.Head], BatchSize = 2 },
        };
        var model = ModelResolver.Resolve(TestModels.TinyFolder, new ModelStore());
        using var gpt = HookedGpt2.Load(model.Folder, ScalarType.Float64);
        var study = Concord.Studies.Study.Prepare(gpt, model, "cpu", options);
        var result = study.Run();
        var output = new StudyOutput(TempFolder.New("registered-method"));
        string Under(string culture)
        {
            var before = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            try { return Report.Text(study, output, result, TimeSpan.FromSeconds(83.25), new DateTime(2026, 1, 1, 12, 0, 0)); }
            finally { CultureInfo.CurrentCulture = before; }
        }
        Assume.That(CultureInfo.GetCultureInfo("de-DE").NumberFormat.NumberDecimalSeparator, Is.EqualTo(","), "this machine has no ICU culture data (globalization-invariant mode), so de-DE cannot be tried");
        var invariant = Under("");
        Assert.That(Under("de-DE"), Is.EqualTo(invariant));
        Assert.That(Under("fr-FR"), Is.EqualTo(invariant));
        Assert.That(invariant, Does.Contain("1.4 min"), "a decimal point, not a comma");
    }
}
