using Concord.Studies.Outputs;
using System.Text.Json;
using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Model.Edges;
using Concord.Tasks;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>`--components edges` as `concord run` writes it: edge rows in scores.csv, the edges section of agreement.json and report.md; what cannot be combined is one line.</summary>
public partial class RunTests
{
    [Test]
    public void EdgesAreScoredComparedAndReported()
    {
        var output = TempFolder.New();
        var run = RunCommand.Execute(Settings(Adaptive(output, "capital-country", "--components", "heads,edges", "--methods", "ig,ap,eap,eap-ig", "--verify", "faithfulness", "--edge-circuit", "50")),
            CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(run.Units[TaskKind.CapitalCountry].Computed, Is.GreaterThan(0));
        var folder = Path.Combine(output, "capital-country");
        int edges = (int)EdgeGraph.CountFor(TestModels.TinyConfig.NLayer, TestModels.TinyConfig.NHead);
        var lines = File.ReadAllLines(Path.Combine(folder, ScoresCsvExporter.FileName));
        var edgeRows = lines.Where(l => l.Split(',')[2] == "edge").ToList();
        // 4 prompts × every edge × the four edge methods (ig and ap name both a node and an edge method).
        Assert.That(edgeRows, Has.Count.EqualTo(4 * edges * 4));
        Assert.That(edgeRows.Select(l => l.Split(',')[3]), Does.Contain("input->a0.h0<q>").And.Contain("m1->logits"));
        Assert.That(lines.Count(l => l.Split(',')[2] == "head"), Is.GreaterThan(0), "node rows stay");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, AgreementJsonExporter.FileName)));
        var section = doc.RootElement.GetProperty("edges");
        Assert.That(section.GetProperty("graph").GetProperty("edges").GetInt32(), Is.EqualTo(edges));
        Assert.That(section.GetProperty("agreement").EnumerateArray().Select(p => p.GetProperty("pair").GetString()),
            Is.EqualTo(new[] { "ap–ig", "ap–eap", "ap–eap-ig", "ig–eap-ig" }));
        Assert.That(section.GetProperty("ig_completeness").GetProperty("converged").GetBoolean(), Is.True);
        var path = section.GetProperty("strongest_path").GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("edge").GetString()!).ToList();
        Assert.That(path[0], Does.StartWith("input->"));
        Assert.That(path[^1], Does.EndWith("->logits"));
        var faithfulness = section.GetProperty("faithfulness");
        var curves = faithfulness.GetProperty("curves").EnumerateArray().ToList();
        Assert.That(curves, Has.Count.EqualTo(4 * 2), "each method, signed and absolute");
        foreach (var curve in curves)
        {
            var circuits = curve.GetProperty("circuits").EnumerateArray().ToList();
            Assert.That(circuits[^1].GetProperty("f").GetDouble(), Is.EqualTo(1.0), "every edge kept is the base run");
            Assert.That(circuits.Select(c => c.GetProperty("edges").GetInt32()), Is.Ordered, "pruned circuits grow with k");
        }
        foreach (var method in new[] { "ap", "ig", "eap", "eap-ig" })
        {
            var graph = EdgeGraphJson.Read(Path.Combine(folder, EdgeCircuitExporter.FileStem(method) + ".json"));
            Assert.That(graph.Scores, Has.Length.EqualTo(edges), method);
            Assert.That(graph.EdgeCount, Is.GreaterThan(0).And.LessThan(edges), method);
            Assert.That(File.ReadAllText(Path.Combine(folder, EdgeCircuitExporter.FileStem(method) + ".dot")), Does.StartWith("digraph"));
            Assert.That(new FileInfo(Path.Combine(folder, EdgeCircuitExporter.FileStem(method) + ".png")).Length, Is.GreaterThan(1000));
        }
        var report = File.ReadAllText(Path.Combine(output, Report.FileName));
        Assert.That(report, Does.Contain($"**Edges** ({edges:N0} edges of EAP-IG's graph"));
        Assert.That(report, Does.Contain("Faithfulness at edges"));
        Assert.That(report, Does.Contain("The strongest path by ap"));
    }

    [TestCase("--methods", "eap", "--methods eap scores edges: add edges to --components")]
    [TestCase("--methods", "ap,eap-ig,eap", "--methods eap-ig and eap score edges: add edges to --components")]
    [TestCase("--eap-ig-steps", "0", "--eap-ig-steps needs --components edges")]
    public void EdgeMethodsWithoutEdgesAreOneLine(string flag, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Settings(Adaptive(TempFolder.New(), "ioi", flag, value)));
        Assert.That(error!.Message, Does.Contain(expected));
    }

    [TestCase("--methods", "atp", "names no edge method for --components edges")]
    [TestCase("--eap-ig-steps", "0", "--eap-ig-steps 0 is outside 1–1000")]
    public void EdgeOptionsThatCannotWorkAreOneLine(string flag, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Settings(Adaptive(TempFolder.New(), "ioi", "--components", "edges", flag, value)));
        Assert.That(error!.Message, Does.Contain(expected));
    }
}
