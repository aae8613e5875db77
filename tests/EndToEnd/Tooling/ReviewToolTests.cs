using Concord.Benchmarks;
using Concord.Cli.Commands;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Tooling;

/// <summary>The tools reviewers rely on: the benchmark ratio comparison and `concord diff`.</summary>
[TestFixture]
public class ReviewToolTests
{
    private const string Params = "Prompts=8&Tokens=20&Shape=tiny&Device=cpu";

    private static BaselineComparison.Entry E(string method, double mean) => new("ActivationPatchingBenchmarks", method, Params, mean, null);

    [Test]
    public void RatiosAreTakenAgainstTheClassBaselineMeasuredInTheSameRun()
    {
        var ratios = BaselineComparison.Ratios([E("HeadsNaive", 1000), E("Heads", 250)]);
        Assert.That(ratios[("ActivationPatchingBenchmarks", "Heads", Params)], Is.EqualTo(0.25));
    }

    [Test]
    public void ASlowerMachineIsNoRegressionButASlowerOptimisedPathIs()
    {
        var baseline = new[] { E("HeadsNaive", 1000), E("Heads", 250) };
        // Everything twice as slow: the ratio is unchanged.
        Assert.That(BaselineComparison.Compare(baseline, [E("HeadsNaive", 2000), E("Heads", 500)], 0.25).Single().Status, Is.EqualTo("ok"));
        // Only the optimised path slower by 40 %: a regression beyond 25 %.
        var row = BaselineComparison.Compare(baseline, [E("HeadsNaive", 1000), E("Heads", 350)], 0.25).Single();
        Assert.That(row.Status, Is.EqualTo("REGRESSION"));
        Assert.That(row.Change, Is.EqualTo(0.4).Within(1e-12));
    }

    [Test]
    public void DiffOfScoreTablesKeysEveryScoreByItsComponent()
    {
        var folder = TempFolder.New();
        var a = Path.Combine(folder, "a.csv");
        var b = Path.Combine(folder, "b.csv");
        File.WriteAllText(a, "prompt,layer,kind,index,position,method,score\n3,9,head,9,,ap,-1.25\n3,9,head,6,,ap,0.5\n");
        File.WriteAllText(b, "prompt,layer,kind,index,position,method,score\n3,9,head,6,,ap,0.5\n3,9,head,9,,ap,-1.5\n");
        var left = DiffCommand.Scores(a);
        var right = DiffCommand.Scores(b);
        Assert.That(left["prompt 3 head L9.9 ap"], Is.EqualTo("-1.25"));
        Assert.That(right["prompt 3 head L9.9 ap"], Is.EqualTo("-1.5"));
        Assert.That(left["prompt 3 head L9.6 ap"], Is.EqualTo(right["prompt 3 head L9.6 ap"]));
    }

    [Test]
    public void DiffOfSnapshotsKeysLinesByTheirLabel()
    {
        var path = Path.Combine(TempFolder.New(), "x.snap");
        File.WriteAllText(path, "\uFEFF[\n  \"0.1      ig     0.0173336 ap    0.00983937\",\n  \"row 2: clean -0.8, corrupted -0.7\"\n]");
        var lines = DiffCommand.Json(path);
        Assert.That(lines.Keys, Is.EquivalentTo(new[] { "[0.1 ig]", "[row 2: clean]" }));
    }
}
