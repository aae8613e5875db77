using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>Every run either writes its outputs or fails: a run that exits 0 has scores.csv and agreement.json for each of its tasks.</summary>
[TestFixture]
public class RunOutputsTests
{
    private static string[] Run(string output, params string[] changes) => CommandLines.With(
        ["run", "--model", TestModels.TinyFolder, "--task", "ioi,greater-than", "--examples", "2", "--steps", "4", "--verify", "none",
         "--components", "heads,mlp", "--out", output], changes);

    private static void AssertEveryTaskWritten(string output, params string[] tasks)
    {
        foreach (var task in tasks)
        {
            Assert.That(Path.Combine(output, task, "scores.csv"), Does.Exist, task);
            Assert.That(Path.Combine(output, task, "agreement.json"), Does.Exist, task);
            Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain($"## {task}"), $"report.md has a section for {task}");
        }
    }

    [TestCase("0.5,0.5")]
    [TestCase("0.5,0.50")]
    [TestCase("1,0.25,1.0")]
    public void DuplicateSweepScalesAreOnePointAndTheRunWritesEveryOutput(string sweep)
    {
        var output = TempFolder.New();
        var (code, stdout, error) = ConcordProcess.Run(Run(output, "--sweep", sweep));
        Assert.That(code, Is.Zero, stdout + error);
        AssertEveryTaskWritten(output, "ioi", "greater-than");
    }

    [Test]
    public void DuplicateSweepScalesThroughShardsAndAMergeWriteEveryOutput()
    {
        var output = TempFolder.New();
        var shard = ConcordProcess.Run(Run(output, "--sweep", "0.5,0.5", "--shard", "0/1"));
        Assert.That(shard.Code, Is.Zero, shard.Error);
        var merge = ConcordProcess.Run(Run(output, "--sweep", "0.5,0.5", "--merge"));
        Assert.That(merge.Code, Is.Zero, merge.Error);
        AssertEveryTaskWritten(output, "ioi", "greater-than");
    }
}
