using System.Text.RegularExpressions;
using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Tasks;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>`concord run` end to end, in process, on the tiny model.</summary>
[TestFixture]
public partial class RunTests
{
    /// <summary>Small but complete: every method, kind and output, a two-point sweep.</summary>
    private static string[] Arguments(string output, string task = "all", int steps = 16, params string[] extra) =>
    [
        "--task", task, "--model", TestModels.TinyFolder, "--examples", "4", "--steps", steps.ToString(), "--neurons", "8",
        "--sweep", "0.5,1", "--batch-size", "2", "--out", output, .. extra,
    ];

    internal static RunSettings Settings(params string[] args)
    {
        var command = RunCommand.Create();
        var parse = command.Parse(args);
        Assert.That(parse.Errors, Is.Empty, string.Join("; ", parse.Errors.Select(e => e.Message)));
        return RunCommand.Parse(parse);
    }

    private static string? _allTasksOutput;

    /// <summary>One run over all six tasks, shared by the tests that only read its files.</summary>
    private static string AllTasksOutput()
    {
        if (_allTasksOutput is not null) return _allTasksOutput;
        var output = TempFolder.New();
        RunCommand.Execute(Settings(Arguments(output)), CancellationToken.None, new Progress<PipelineProgress>());
        return _allTasksOutput = output;
    }

    private static IEnumerable<TaskKind> Tasks() => TaskKinds.All;

    [TestCaseSource(nameof(Tasks))]
    public void EveryTaskWritesItsFiles(TaskKind task)
    {
        var folder = Path.Combine(AllTasksOutput(), task.Id());
        foreach (var file in new[] { "scores.csv", "agreement.json", "heads-ig-vs-ap.png", "scatter-head.png", "scatter-mlp.png", "scatter-neuron.png", "mlp-layers.png", "sweep.png" })
        {
            var path = Path.Combine(folder, file);
            Assert.That(File.Exists(path), Is.True, path);
            Assert.That(new FileInfo(path).Length, Is.GreaterThan(100), path);
        }
        Assert.That(Directory.GetFiles(folder, "*.tmp*", SearchOption.AllDirectories), Is.Empty, "no temporary file is left behind");
    }

    [TestCaseSource(nameof(Tasks))]
    public void ScoresCsvHasTheDocumentedColumnsAndEveryMethod(TaskKind task)
    {
        var lines = File.ReadAllLines(Path.Combine(AllTasksOutput(), task.Id(), "scores.csv"));
        Assert.That(lines[0], Is.EqualTo("prompt,layer,kind,index,position,method,score"));
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.That(rows.Select(r => r[5]).Distinct(), Is.EquivalentTo(new[] { "ig", "ap", "atp" }));
        Assert.That(rows.Select(r => r[2]).Distinct(), Is.EquivalentTo(new[] { "head", "mlp", "neuron" }));
        Assert.That(rows.Select(r => r[0]).Distinct().Count(), Is.EqualTo(4), "four prompts");
        Assert.That(rows, Has.All.Matches<string[]>(r => r.Length == 7 && r[4] == "" && double.IsFinite(double.Parse(r[6], System.Globalization.CultureInfo.InvariantCulture))));
        // 2 layers × (4 heads + 1 MLP) for every method, plus all 128 neurons for IG and AtP and the 8-neuron subset for AP.
        Assert.That(rows.Count, Is.EqualTo(4 * (3 * 2 * 5 + 2 * 2 * 128 + 2 * 8)));
    }

    [TestCaseSource(nameof(Tasks))]
    public void IgCompletenessErrorIsSmallNextToTheEffects(TaskKind task)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AllTasksOutput(), task.Id(), "agreement.json")));
        foreach (var layer in doc.RootElement.GetProperty("ig_completeness").EnumerateArray())
        {
            double error = layer.GetProperty("max_abs_delta").GetDouble();
            double effect = layer.GetProperty("max_abs_expected").GetDouble();
            // 16 Gauss–Legendre nodes in float32: quadrature error is far below 1e-3 of the effect on this
            // model (measured ≤ 1e-5 relative); the absolute floor covers float32 rounding of small effects.
            Assert.That(error, Is.LessThanOrEqualTo(1e-3 * effect + 1e-5), $"{task} {layer}");
        }
    }

    [Test]
    public void ReportLinksResolve()
    {
        var output = AllTasksOutput();
        var report = File.ReadAllText(Path.Combine(output, "report.md"));
        var links = Regex.Matches(report, @"\]\(([^)]+)\)").Select(m => m.Groups[1].Value).Where(l => !l.StartsWith("http")).ToList();
        Assert.That(links, Has.Count.GreaterThanOrEqualTo(6 * 8));
        foreach (var link in links) Assert.That(File.Exists(Path.Combine(output, link)), Is.True, link);
        Assert.That(report, Does.Contain("This is a random model"));
    }
}
