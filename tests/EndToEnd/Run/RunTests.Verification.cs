using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using System.Text.Json;
using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Tasks;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>The verification by intervention as `concord run` writes it: on by default, in agreement.json, a PNG per kind, the report and the summary; off with --verify none.</summary>
public partial class RunTests
{
    [TestCaseSource(nameof(Tasks))]
    public void TheDefaultRunVerifiesEveryKindByIntervention(TaskKind task)
    {
        var folder = Path.Combine(AllTasksOutput(), task.Id());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, AgreementJsonExporter.FileName)));
        var verification = doc.RootElement.GetProperty("verification");
        Assert.That(verification.GetProperty("ablation").GetString(), Is.EqualTo("resample"));
        Assert.That(verification.GetProperty("analyses").GetString(), Is.EqualTo("faithfulness,disagreements"));
        var kinds = verification.GetProperty("kinds").EnumerateArray().ToList();
        Assert.That(kinds.Select(k => k.GetProperty("kind").GetString()), Is.EquivalentTo(new[] { "head", "mlp", "neuron" }));
        foreach (var kind in kinds)
        {
            var f = kind.GetProperty("faithfulness");
            // The tiny random model: each kind moves its metric, so f is defined.
            Assert.That(f.GetProperty("undefined").ValueKind, Is.EqualTo(JsonValueKind.Null), kind.ToString());
            var curves = f.GetProperty("curves").EnumerateArray().ToList();
            Assert.That(curves.Select(c => c.GetProperty("method").GetString()).Distinct(), Is.EquivalentTo(new[] { "ig", "ap", "atp" }));
            foreach (var curve in curves)
            {
                var points = curve.GetProperty("points").EnumerateArray().ToList();
                Assert.That(points[0].GetProperty("f").GetDouble(), Is.EqualTo(0.0));
                Assert.That(points[^1].GetProperty("f").GetDouble(), Is.EqualTo(1.0));
                var ci = curve.GetProperty("cpr_95").EnumerateArray().Select(x => x.GetDouble()).ToArray();
                // A percentile interval of the resampled CPR holds the CPR of the prompts as drawn, unless the sample is tiny and skewed.
                Assert.That(curve.GetProperty("cpr").GetDouble(), Is.InRange(ci[0] - 0.5, ci[1] + 0.5), curve.ToString());
            }
            Assert.That(f.GetProperty("random").GetProperty("rankings").GetInt32(), Is.EqualTo(10));
            var categories = kind.GetProperty("disagreements").GetProperty("categories").EnumerateArray().ToList();
            Assert.That(categories.Select(c => c.GetProperty("category").GetString()), Is.EqualTo(new[] { "high-ig-high-ap", "high-ig-only", "high-ap-only", "neither" }));
            Assert.That(kind.GetProperty("disagreements").GetProperty("verdict").GetString(),
                Does.Match("^(IG|AP|both|neither|undecided|IG and AP pick the same)"), "a verdict names its outcome first");
            var png = Path.Combine(folder, VerificationPlots.File(Methods.Targets.TargetSpace.Parse(kind.GetProperty("kind").GetString()!)));
            Assert.That(new FileInfo(png).Length, Is.GreaterThan(1000), png);
        }
    }

    [Test]
    public void TheReportShowsFaithfulnessVerdictsAndWhereTheTimeWent()
    {
        var report = File.ReadAllText(Path.Combine(AllTasksOutput(), Report.FileName));
        Assert.That(report, Does.Contain("most faithful (CPR)"));
        Assert.That(report, Does.Contain("### Verification by intervention (resample ablation outside the circuit)"));
        Assert.That(report, Does.Contain("**Verdict (heads):**"));
        Assert.That(report, Does.Contain("![faithfulness of heads](ioi/faithfulness-head.png)"));
        Assert.That(report, Does.Contain("## Where the time went"));
        Assert.That(report, Does.Contain("| ioi | verify-head | 2 |"), "one verification unit per batch and kind (4 prompts in batches of 2)");
    }

    [Test]
    public void VerifyNoneRunsNoInterventionAndIsolatedAddsPredictiveness()
    {
        var off = TempFolder.New();
        var none = RunCommand.Execute(Settings(Arguments(off, "capital-country", extra: ["--verify", "none"])), CancellationToken.None, new Progress<PipelineProgress>());
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(off, "capital-country", AgreementJsonExporter.FileName))))
            Assert.That(doc.RootElement.TryGetProperty("verification", out _), Is.False);
        Assert.That(Directory.GetFiles(Path.Combine(off, "capital-country"), "faithfulness-*.png"), Is.Empty);

        var on = TempFolder.New();
        var isolated = RunCommand.Execute(Settings(Arguments(on, "capital-country", extra: ["--verify", "faithfulness,disagreements,isolated", "--ablation", "mean"])),
            CancellationToken.None, new Progress<PipelineProgress>());
        // 2 batches × 3 kinds of verification units on top of the attribution's.
        Assert.That(isolated.Units[TaskKind.CapitalCountry].Computed, Is.EqualTo(none.Units[TaskKind.CapitalCountry].Computed + 6));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(on, "capital-country", AgreementJsonExporter.FileName)));
        var verification = json.RootElement.GetProperty("verification");
        Assert.That(verification.GetProperty("ablation").GetString(), Is.EqualTo("mean"));
        foreach (var kind in verification.GetProperty("kinds").EnumerateArray())
        {
            var predictiveness = kind.GetProperty("predictiveness_mean_ablation").EnumerateArray().ToList();
            Assert.That(predictiveness.Select(p => p.GetProperty("method").GetString()), Is.EquivalentTo(new[] { "ig", "ap", "atp" }));
        }
        var again = RunCommand.Execute(Settings(Arguments(on, "capital-country", extra: ["--verify", "faithfulness,disagreements,isolated", "--ablation", "mean"])),
            CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(again.Units[TaskKind.CapitalCountry].Computed, Is.Zero, "verification units resume like the attribution's");
        var resample = RunCommand.Execute(Settings(Arguments(on, "capital-country", extra: ["--verify", "faithfulness,disagreements,isolated", "--ablation", "resample"])),
            CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(resample.Units[TaskKind.CapitalCountry].Computed, Is.EqualTo(6), "--ablation recomputes the verification units and no attribution unit");
    }

    [Test]
    public void IsolatedAloneStillReportsPredictiveness()
    {
        var output = TempFolder.New();
        RunCommand.Execute(Settings(Arguments(output, "ioi", extra: ["--verify", "isolated", "--components", "heads"])), CancellationToken.None, new Progress<PipelineProgress>());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "ioi", AgreementJsonExporter.FileName)));
        var head = json.RootElement.GetProperty("verification").GetProperty("kinds").EnumerateArray().Single();
        Assert.That(head.GetProperty("faithfulness").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(head.GetProperty("disagreements").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(head.GetProperty("predictiveness_mean_ablation").EnumerateArray().Select(p => p.GetProperty("method").GetString()), Is.EquivalentTo(new[] { "ig", "ap", "atp" }));
        Assert.That(File.ReadAllText(Path.Combine(output, Report.FileName)), Does.Contain("Predictiveness of the isolated mean-ablation effect (heads;"));
    }

    /// <summary>Per position, batches of different prompt lengths score different positions: the circuits are drawn from the positions every batch has.</summary>
    [Test]
    public void PerPositionComponentsAreVerifiedToo()
    {
        var output = TempFolder.New();
        RunCommand.Execute(Settings(Arguments(output, "ioi", extra: ["--per-position", "--components", "heads", "--direction", "denoising"])),
            CancellationToken.None, new Progress<PipelineProgress>());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "ioi", AgreementJsonExporter.FileName)));
        var head = doc.RootElement.GetProperty("verification").GetProperty("kinds").EnumerateArray().Single();
        var f = head.GetProperty("faithfulness");
        Assert.That(f.GetProperty("components").GetInt32(), Is.GreaterThan(8), "(position, head) pairs, not 8 heads");
        Assert.That(f.GetProperty("curves").EnumerateArray().First().GetProperty("points").EnumerateArray().Last().GetProperty("f").GetDouble(), Is.EqualTo(1.0));
    }
}
