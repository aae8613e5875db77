using System.Text.Json.Nodes;
using Concord.Methods.Attribution;
using Concord.Methods.Pipeline;
using Concord.Methods.Results;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Studies;
using Concord.Studies.Outputs;
using Concord.Studies.Running;
using Concord.Tests.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Studies;

/// <summary>
/// A target space that is not a node: the residual stream at each layer's input, one target per
/// position, defined here and scored by two methods defined here (patching the whole residual
/// vector at one position, all the way or halfway to the other run). Given to a study with its
/// methods, it flows into scores.csv, agreement.json and report.md through the library's own
/// outputs, which name no space and no method.
/// </summary>
[TestFixture, NonParallelizable]
public class TargetSpaceStudyTests
{
    /// <summary>resid_pre of every layer, cached in both runs of a batch for the methods that score the space.</summary>
    private static readonly TargetSpace Residual = new("resid", "residual positions", t => $"L{t.Layer} resid", cached: l => [HookPoint.ResidPre(l)]);

    /// <summary>Patching resid_pre at one position towards the other run by <paramref name="share"/>: F(patched) − F(base) per prompt.</summary>
    private sealed class ResidualPatching(Method method, double share) : IAttributionMethod
    {
        public Method Method => method;

        public MethodResult Attribute(AttributionContext context, TargetSpace space)
        {
            var config = context.Model.Config;
            var layers = new List<LayerScores>();
            for (int l = 0; l < config.NLayer; l++)
            {
                using var scope = NewDisposeScope();
                var a = context.BaseCache[HookPoint.ResidPre(l)];                 // [b, p, d]
                var delta = context.OtherCache[HookPoint.ResidPre(l)] - a;
                int batch = (int)a.shape[0], positions = (int)a.shape[1];
                // One repeat per position: the base stream with that position moved towards the other run.
                var mask = eye(positions, dtype: a.dtype, device: a.device).view(positions, 1, positions, 1);
                var stacked = (a.unsqueeze(0) + share * mask * delta.unsqueeze(0)).reshape(positions * batch, positions, config.NEmbd);
                var effect = (context.MetricFrom(HookPoint.ResidPre(l), stacked, positions).view(positions, batch) - context.BaseMetric.unsqueeze(0)).ToDoubles();
                var values = new double[batch, positions];
                for (int p = 0; p < positions; p++)
                    for (int b = 0; b < batch; b++) values[b, p] = effect[p * batch + b];
                var targets = Enumerable.Range(0, positions).Select(p => new Target(l, space, 0, p)).ToList();
                layers.Add(new LayerScores(l, new ScoreSet(method.Id(), targets, values)));
            }
            return MethodResult.FromLayers(method, space, layers);
        }
    }

    private static (Method Full, Method Half) Methods()
    {
        Method full = null!;
        full = new Method("resid-ap", "resid AP", (_, _) => new ResidualPatching(full, 1), spaces: [Residual], comparedWithReference: false);
        Method half = null!;
        half = new Method("resid-half", "resid AP½", (_, _) => new ResidualPatching(half, 0.5), spaces: [Residual],
            comparedWithReference: false, alsoComparedWith: ["resid-ap"]);
        return (full, half);
    }

    [Test]
    public void AResidualStreamSpaceFlowsIntoEveryOutput()
    {
        var folder = TempFolder.New("target-space");
        var task = CustomTaskStudyTests.Receiver(CustomTaskStudyTests.WriteRows(folder));
        var (full, half) = Methods();
        var options = new StudyOptions
        {
            Tasks = [task],
            Examples = 4,
            Pipeline = new PipelineOptions
            {
                Methods = [Method.Ap, full, half],
                MethodCatalogue = MethodCatalogue.BuiltIn.With(full).With(half),
                Spaces = [TargetSpace.Head, Residual], NeuronsPerLayer = 0, BatchSize = 2,
            },
        };
        var (gpt, resolved) = TestModels.LoadTiny(ScalarType.Float64);
        using var _ = gpt;
        var output = Path.Combine(folder, "out");
        var outcome = StudyRun.Execute(Study.Prepare(gpt, resolved, "cpu", options), new StudyOutput(output)).Tasks.Single();
        var analysis = outcome.Analysis!;
        Assert.That(analysis.Agreements.Select(p => (p.Label, p.Space.Id())), Is.EquivalentTo(new[] { ("resid AP½↔resid AP", "resid") }),
            "the residual pair, and no pair of AP with a method that scored no head");

        // scores.csv: a row per method × prompt × layer × position within the prompt, under the space's id.
        var rows = File.ReadAllLines(Path.Combine(output, "receiver", ScoresCsvExporter.FileName)).Skip(1).Select(l => l.Split(',')).ToList();
        var residRows = rows.Where(r => r[2] == "resid").ToList();
        int positions = analysis.Result.Batches.Sum(b => b.Lengths.Sum());
        Assert.That(residRows, Has.Count.EqualTo(2 * gpt.Config.NLayer * positions));
        Assert.That(residRows.Select(r => r[5]).Distinct(), Is.EquivalentTo(new[] { "resid-ap", "resid-half" }));
        Assert.That(rows.Count(r => r[2] == "head"), Is.EqualTo(4 * gpt.Config.NLayer * gpt.Config.NHead), "AP's heads, unchanged beside them");

        // Exact: the residual stream at a position before the first differing token is the same in both runs, so patching it moves nothing.
        var first = analysis.Result.Batches[0];
        var scores = first.Scores(full, Residual)!;
        Assert.That(scores.Targets.Where(t => t.Position < 2).Select(t => Math.Abs(scores[0, scores.Targets.ToList().IndexOf(t)])), Has.All.LessThan(1e-12));
        Assert.That(Enumerable.Range(0, scores.Targets.Count).Max(j => Math.Abs(scores[0, j])), Is.GreaterThan(1e-6), "and patching the rest does move F");

        var agreement = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "receiver", AgreementJsonExporter.FileName)))!;
        var pairs = agreement["agreement"]!.AsArray();
        Assert.That(pairs.Select(p => ((string?)p!["kind"], (string?)p["pair"])), Does.Contain(("resid", "resid AP½↔resid AP")));
        var report = File.ReadAllText(Path.Combine(output, Report.FileName));
        Assert.That(report, Does.Contain("| resid ("), "the task's agreement table has a row of the space");
        Assert.That(report, Does.Contain("resid AP½↔resid AP"));
    }
}
