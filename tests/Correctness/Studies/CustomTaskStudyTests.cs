using System.Text.Json.Nodes;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Attribution;
using Concord.Studies;
using Concord.Studies.Outputs;
using Concord.Studies.Running;
using Concord.Tasks;
using Concord.Tests.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Studies;

/// <summary>
/// A task is a value: one defined here — its CSV columns, row parser, metric and file, none of
/// them known to src/ — runs through <see cref="Study"/> and <see cref="StudyRun"/> like the six
/// built-in tasks, with every output (scores.csv, agreement.json, plots, run.json, report.md).
/// A statistic defined here joins the study's catalogue and reaches agreement.json and the report.
/// </summary>
[TestFixture, NonParallelizable]
public class CustomTaskStudyTests
{
    /// <summary>Who receives the object: logit(receiver) − logit(giver), the giver named again (clean) or a stranger named (corrupted).</summary>
    internal static TaskDescriptor Receiver(string file) => TaskDescriptor.FromRows("receiver", "who receives", file,
        ["first", "second", "stranger"], MetricReadout.LogitDifference, (row, _) =>
        {
            var tokenizer = Concord.Model.Gpt2Tokenizer.Instance;
            string Prompt(string giver) => $"At the party, {row.Text("first")} and {row.Text("second")} talked for hours. {giver} handed the cake to";
            return new TaskExample(row.Row, Prompt(row.Text("second")), Prompt(row.Text("stranger")),
                [tokenizer.SingleToken(" " + row.Text("first"))], [tokenizer.SingleToken(" " + row.Text("second"))], row.Text("first"));
        });

    /// <summary>How often the two methods' scores share a sign: a statistic of this test's own.</summary>
    private static readonly Concord.Methods.Agreement.AgreementStatistic SameSign = new("same-sign", "same sign", "same",
        (x, y, _) => new Concord.Methods.Agreement.StatisticValue(x.Zip(y).Count(p => Math.Sign(p.First) == Math.Sign(p.Second)) / (double)x.Count));

    internal static string WriteRows(string folder)
    {
        var file = Path.Combine(folder, "receiver.csv");
        File.WriteAllLines(file, ["first,second,stranger", "Mary,John,Tom", "Lisa,Paul,Sarah", "David,Anna,Mark", "Laura,James,Amy"]);
        return file;
    }

    [Test]
    public void AUsersTaskRunsThroughTheStudyWithEveryOutput()
    {
        var folder = TempFolder.New("custom-task");
        var task = Receiver(WriteRows(folder));
        var options = new StudyOptions
        {
            Tasks = [task],
            Examples = 4,
            Pipeline = new PipelineOptions
            {
                Spaces = [TargetSpace.Head, TargetSpace.Mlp], Ig = IgSettings.FixedNodes(4), NeuronsPerLayer = 0, BatchSize = 2,
                StatisticCatalogue = Concord.Methods.Agreement.StatisticCatalogue.BuiltIn.With(SameSign),
            },
        };
        var (gpt, resolved) = TestModels.LoadTiny(ScalarType.Float64);
        using var _ = gpt;
        var study = Study.Prepare(gpt, resolved, "cpu", options);
        Assert.That(study.Tasks.Single().Kind, Is.SameAs(task));
        Assert.That(study.Tasks.Single().Examples, Has.Count.EqualTo(4));

        var output = Path.Combine(folder, "out");
        var result = StudyRun.Execute(study, new StudyOutput(output));
        var outcome = result.Tasks.Single();
        Assert.That(outcome.Analysis!.Agreements.Select(p => p.Label), Does.Contain("IG↔AP"));

        var scores = File.ReadAllLines(Path.Combine(output, "receiver", ScoresCsvExporter.FileName));
        Assert.That(scores.Length - 1, Is.EqualTo(3 * 4 * gpt.Config.NLayer * (gpt.Config.NHead + 1)), "a row per method (IG, AP, AtP) × prompt × head and MLP layer");
        var agreement = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "receiver", AgreementJsonExporter.FileName)))!;
        Assert.That((string?)agreement["task"], Is.EqualTo("receiver"));
        Assert.That(agreement["agreement"]![0]!["across_prompts"]!["same-sign"], Is.Not.Null, "the test's statistic, under its id");
        var report = File.ReadAllText(Path.Combine(output, Report.FileName));
        Assert.That(report, Does.Contain("receiver"));
        Assert.That(report, Does.Contain("| same sign |"), "the test's statistic is a column of the task's table");
        Assert.That(File.Exists(Path.Combine(output, RunRecord.FileName)), Is.True);

        // Resumed: the same study reads every unit back under the same keys.
        var again = StudyRun.Execute(Study.Prepare(gpt, resolved, "cpu", options), new StudyOutput(output));
        Assert.That(again.Tasks.Single().ComputedUnits, Is.Zero);
        Assert.That(again.Tasks.Single().ReusedUnits, Is.EqualTo(outcome.ComputedUnits));
    }

    [Test]
    public void TheBuiltInTasksAreDescriptorsWithTheirIdsAndFiles()
    {
        Assert.That(TaskDescriptor.BuiltIn.Select(t => t.Id()), Is.EqualTo(TaskKinds.All.Select(k => k.Id())));
        Assert.That(TaskDescriptor.BuiltIn.Select(t => t.FileName), Is.EqualTo(TaskKinds.All.Select(k => k.FileName())));
        Assert.That(TaskDescriptor.Of(TaskKind.Sva), Is.SameAs(TaskDescriptor.BuiltIn[4]));
        Assert.That(new StudyOptions().Tasks, Is.EqualTo(TaskDescriptor.BuiltIn));
        Assert.That(TaskDescriptor.Of(TaskKind.Hypernymy).ShowsBehaviour(0.05), Is.False, "hypernymy keeps the study's 0.1 threshold");
        Assert.That(TaskDescriptor.Of(TaskKind.Ioi).ShowsBehaviour(0.05), Is.True);
    }

    [Test]
    public void TwoTasksOfOneIdAreRefused()
    {
        var folder = TempFolder.New("custom-task");
        var file = WriteRows(folder);
        var (gpt, resolved) = TestModels.LoadTiny(ScalarType.Float64);
        using var _ = gpt;
        var options = new StudyOptions { Tasks = [Receiver(file), Receiver(file)], Examples = 2 };
        Assert.That(() => Study.Prepare(gpt, resolved, "cpu", options), Throws.ArgumentException.With.Message.Contains("two tasks have the id 'receiver'"));
    }
}
