using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using System.Text.Json;
using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Tasks;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>`--split-ig r` as `concord run` writes it: split IG's agreement, convergence, split points and report lines.</summary>
public partial class RunTests
{
    /// <summary>As <see cref="Arguments"/>, with IG's adaptive rule (split IG's points are the composite rule's).</summary>
    private static string[] Adaptive(string output, string task, params string[] extra) =>
    [
        "--task", task, "--model", TestModels.TinyFolder, "--examples", "4", "--steps", "auto", "--neurons", "8",
        "--sweep", "0.5,1", "--batch-size", "2", "--out", output, .. extra,
    ];

    [Test]
    public void SplitIgIsScoredComparedAndReported()
    {
        var output = TempFolder.New();
        var run = RunCommand.Execute(Settings(Adaptive(output, "capital-country", "--split-ig", "0.9", "--verify", "none")), CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(run.Units[TaskKind.CapitalCountry].Computed, Is.GreaterThan(0));
        var folder = Path.Combine(output, "capital-country");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, AgreementJsonExporter.FileName)));
        var root = doc.RootElement;
        var pairs = root.GetProperty("agreement").EnumerateArray().Select(p => p.GetProperty("pair").GetString()).ToList();
        Assert.That(pairs, Does.Contain("split IG↔AP").And.Contain("split IG↔IG"), string.Join(", ", pairs));
        var convergence = root.GetProperty("ig_convergence").EnumerateArray().ToList();
        // IG's entries are as a run without split IG writes them (no method key); split IG's name theirs.
        Assert.That(convergence.Select(c => c.TryGetProperty("method", out var m) ? m.GetString() : "ig").Distinct(), Is.EquivalentTo(new[] { "ig", "ig-split" }));
        foreach (var kind in root.GetProperty("ig_path").GetProperty("kinds").EnumerateArray())
            foreach (var layer in kind.GetProperty("layers").EnumerateArray())
            {
                double split = layer.GetProperty("split_ig_alpha").GetDouble();
                Assert.That(split, Is.InRange(0.0, 1.0), layer.ToString());
                // The median split covers 90 % of F's range: it lies at or after the median 90 % crossing's neighbourhood, never before the 50 % one.
                Assert.That(split, Is.GreaterThanOrEqualTo(layer.GetProperty("alpha_50").GetDouble()), layer.ToString());
            }
        var report = File.ReadAllText(Path.Combine(output, Report.FileName));
        Assert.That(report, Does.Contain("Split IG (`--split-ig 0.9`)"));
        Assert.That(report, Does.Contain("split IG↔AP"));
        Assert.That(report, Does.Contain("(split IG, to each prompt's split point)"), "its completeness by layer");
        Assert.That(File.ReadAllText(Path.Combine(folder, ScoresCsvExporter.FileName)), Does.Contain("ig-split"), "its scores in scores.csv");
    }

    [TestCase("--split-ig", "0", "--split-ig must lie in (0, 1]")]
    [TestCase("--split-ig", "1.5", "--split-ig must lie in (0, 1]")]
    [TestCase("--split-ig", "-0.5", "--split-ig must lie in (0, 1]")]
    [TestCase("--methods", "ig,ig-split", "--methods ig-split needs --split-ig r")]
    public void BadSplitIgOptionsAreOneLine(string flag, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Settings(Adaptive(TempFolder.New(), "ioi", flag, value)));
        Assert.That(error!.Message, Does.Contain(expected));
    }

    [Test]
    public void SplitIgWithAFixedRuleIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Settings(Arguments(TempFolder.New(), "ioi", extra: ["--split-ig", "0.9"])));
        Assert.That(error!.Message, Does.Contain("--split-ig needs --steps auto"));
    }
}
