using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Tasks;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>Interrupted runs resume without recomputing finished work, and end where an uninterrupted run ends.</summary>
public partial class RunTests
{
    /// <summary>Cancels the run when the given task starts, as Ctrl-C would.</summary>
    private sealed class InterruptAt(string task, CancellationTokenSource cancel) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value)
        {
            if (value.Task == task && value.Done >= 3) cancel.Cancel();
        }
    }

    [Test]
    public void AnInterruptedRunResumesAndProducesTheSameFiles()
    {
        const string tasks = "ioi,greater-than,sva";
        var interrupted = TempFolder.New();
        using (var cancel = new CancellationTokenSource())
        {
            // Interrupted in the middle of sva, the third task, after two of its units.
            Assert.Throws<OperationCanceledException>(() =>
                RunCommand.Execute(Settings(Arguments(interrupted, tasks)), cancel.Token, new InterruptAt("sva", cancel)));
        }
        Assert.That(Directory.GetFiles(interrupted, "*.tmp*", SearchOption.AllDirectories), Is.Empty, "no half-written file");
        var resumed = RunCommand.Execute(Settings(Arguments(interrupted, tasks)), CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(resumed.Units[TaskKind.Ioi].Computed, Is.Zero, "ioi was finished before the interruption");
        Assert.That(resumed.Units[TaskKind.GreaterThan].Computed, Is.Zero);
        Assert.That(resumed.Units[TaskKind.Sva].Reused, Is.GreaterThanOrEqualTo(2), "sva's finished units are kept");
        Assert.That(resumed.Units[TaskKind.Sva].Computed, Is.GreaterThan(0));

        var uninterrupted = TempFolder.New();
        RunCommand.Execute(Settings(Arguments(uninterrupted, tasks)), CancellationToken.None, new Progress<PipelineProgress>());
        foreach (var task in new[] { "ioi", "greater-than", "sva" })
            foreach (var file in new[] { "scores.csv", "agreement.json" })
                Assert.That(RunOutputs.Comparable(Path.Combine(interrupted, task, file)), Is.EqualTo(RunOutputs.Comparable(Path.Combine(uninterrupted, task, file))), $"{task}/{file}");
    }

    [Test]
    public void AChangedOptionRecomputesOnlyWhatItAffects()
    {
        var output = TempFolder.New();
        RunCommand.Execute(Settings(Arguments(output, "capital-country")), CancellationToken.None, new Progress<PipelineProgress>());
        var again = RunCommand.Execute(Settings(Arguments(output, "capital-country")), CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(again.Units[TaskKind.CapitalCountry].Computed, Is.Zero, "the same command reuses everything");

        // --steps changes IG (3 kinds) and the sweep point s = 0.5 (2 kinds) of each of the 2 batches; AP, AtP and metrics stay.
        var steps = RunCommand.Execute(Settings(Arguments(output, "capital-country", steps: 8)), CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(steps.Units[TaskKind.CapitalCountry].Computed, Is.EqualTo(2 * (3 + 2)));

        var fresh = RunCommand.Execute(Settings(Arguments(output, "capital-country", 16, "--fresh")), CancellationToken.None, new Progress<PipelineProgress>());
        Assert.That(fresh.Units[TaskKind.CapitalCountry].Reused, Is.Zero, "--fresh recomputes");
    }
}
