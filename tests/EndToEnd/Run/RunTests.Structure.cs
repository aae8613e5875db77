using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using System.Text.Json;
using Concord.Cli.Run;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Tasks;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>`--direction both` as `concord run` writes it: the structure in agreement.json, its figures, the report section; IG's path on every run.</summary>
public partial class RunTests
{
    [Test]
    public void BothDirectionsWriteTheStructureItsFiguresAndReportSection()
    {
        var output = TempFolder.New();
        var both = RunCommand.Execute(Settings(Arguments(output, "capital-country", extra: ["--direction", "both", "--interactions", "4", "--verify", "none"])),
            CancellationToken.None, new Progress<PipelineProgress>());
        var folder = Path.Combine(output, "capital-country");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, AgreementJsonExporter.FileName)));
        var structure = doc.RootElement.GetProperty("structure");
        var kinds = structure.GetProperty("kinds").EnumerateArray().ToList();
        Assert.That(kinds.Select(k => k.GetProperty("kind").GetString()), Is.EquivalentTo(new[] { "head", "mlp", "neuron" }));
        foreach (var kind in kinds)
        {
            Assert.That(kind.GetProperty("methods").EnumerateObject().Select(m => m.Name), Is.EquivalentTo(new[] { "ig", "ap", "atp" }));
            Assert.That(kind.GetProperty("candidates_by").GetString(), Is.EqualTo("ap"));
            int interacting = kind.GetProperty("interacting").GetArrayLength();
            Assert.That(kind.GetProperty("pairs").GetArrayLength(), Is.EqualTo(interacting * (interacting - 1) / 2), kind.ToString());
            var k = TargetSpace.Parse(kind.GetProperty("kind").GetString()!);
            Assert.That(new FileInfo(Path.Combine(folder, StructurePlots.ScatterFile(k))).Length, Is.GreaterThan(1000));
            if (interacting >= 2) Assert.That(new FileInfo(Path.Combine(folder, StructurePlots.HeatmapFile(k))).Length, Is.GreaterThan(1000));
        }
        Assert.That(structure.GetProperty("opposite_direction").GetArrayLength(), Is.GreaterThan(0), "the denoising agreement is reported too");
        var report = File.ReadAllText(Path.Combine(output, Report.FileName));
        Assert.That(report, Does.Contain("### AND / OR structure (both directions)"));
        Assert.That(report, Does.Contain("How to read the AND / OR structure"));
        Assert.That(report, Does.Contain("| capital-country | ig-head (denoising) |"), "the opposite direction's units in the cost table");

        // The noising units are a noising run's: a one-direction run on the same folder computes nothing.
        var noising = RunCommand.Execute(Settings(Arguments(output, "capital-country", extra: ["--verify", "none"])), CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(noising.Units[TaskKind.CapitalCountry].Computed, Is.Zero);
        Assert.That(both.Units[TaskKind.CapitalCountry].Computed, Is.GreaterThan(noising.Units[TaskKind.CapitalCountry].Reused));
    }

    [Test]
    public void EveryRunReportsWhereAlongIgsPathTheMetricMoves()
    {
        var folder = Path.Combine(AllTasksOutput(), "ioi");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, AgreementJsonExporter.FileName)));
        foreach (var kind in doc.RootElement.GetProperty("ig_path").GetProperty("kinds").EnumerateArray())
        {
            foreach (var layer in kind.GetProperty("layers").EnumerateArray())
            {
                double a10 = layer.GetProperty("alpha_10").GetDouble(), a50 = layer.GetProperty("alpha_50").GetDouble(), a90 = layer.GetProperty("alpha_90").GetDouble();
                Assert.That(new[] { a10, a50, a90 }, Is.All.InRange(0.0, 1.0), layer.ToString());
            }
            var png = Path.Combine(folder, StructurePlots.PathFile(TargetSpace.Parse(kind.GetProperty("kind").GetString()!)));
            Assert.That(new FileInfo(png).Length, Is.GreaterThan(1000), png);
        }
        Assert.That(File.ReadAllText(Path.Combine(AllTasksOutput(), Report.FileName)), Does.Contain("### Where along IG's path the metric moves"));
    }

    [TestCase("--direction", "sideways", "--direction 'sideways' is not noising, denoising or both")]
    [TestCase("--interactions", "3", "--interactions needs --direction both")]
    public void BadStructureOptionsAreOneLine(string flag, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Settings(Arguments(TempFolder.New(), "ioi", extra: [flag, value])));
        Assert.That(error!.Message, Does.Contain(expected));
    }
}
