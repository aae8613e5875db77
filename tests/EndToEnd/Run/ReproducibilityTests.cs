using System.Text.Json.Nodes;
using Concord.Model;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>
/// The same command gives the same bytes: two processes, and three shards with a merge, write
/// byte-identical scores, agreement, report and unit files in float32. Without the BLAS's reproducible
/// mode these runs differed (measured on this command, 2026-12-06, AMD EPYC: 504 of 17,889 score rows
/// in the 7th significant digit in one run of three with CONCORD_REPRODUCIBLE=0; 1,104 in four of five
/// on a d_model 64 model), so the comparisons below are exact.
/// </summary>
[TestFixture, NonParallelizable]
public class ReproducibilityTests
{
    private static string[] Sva(string output, params string[] changes) => CommandLines.With(
        ["run", "--model", TestModels.TinyFolder, "--task", "sva", "--examples", "16", "--batch-size", "4", "--steps", "8",
         "--sweep", "0.5,1", "--out", output], changes);

    private static string? _first;

    private static string First()
    {
        if (_first is not null) return _first;
        var output = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(Sva(output));
        Assert.That(code, Is.Zero, error);
        return _first = output;
    }

    /// <summary>Every unit file of <paramref name="expected"/> is in <paramref name="actual"/> with the same bytes (units hold the scores before any rounding).</summary>
    private static void AssertSameUnits(string expected, string actual)
    {
        static IEnumerable<string> Units(string root) => Directory.GetFiles(root, "*.json", SearchOption.AllDirectories)
            .Where(f => f.Contains("/units/", StringComparison.Ordinal)).Select(f => Path.GetRelativePath(root, f)).Order();
        var files = Units(expected).ToList();
        Assert.That(files, Is.Not.Empty);
        Assert.That(Units(actual), Is.EqualTo(files), "the same unit files");
        foreach (var file in files)
            Assert.That(File.ReadAllBytes(Path.Combine(actual, file)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expected, file))), file);
    }

    [Test]
    public void TheSameCommandInTwoProcessesWritesTheSameBytes()
    {
        var second = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(Sva(second));
        Assert.That(code, Is.Zero, error);
        RunOutputs.AssertSameRun(First(), second);
        AssertSameUnits(First(), second);
    }

    [Test]
    public void ThreeShardsAndAMergeWriteTheOneProcessBytes()
    {
        var output = TempFolder.New();
        for (int i = 0; i < 3; i++)
        {
            var (code, _, error) = ConcordProcess.Run(Sva(output, "--shard", $"{i}/3"));
            Assert.That(code, Is.Zero, error);
        }
        var merge = ConcordProcess.Run(Sva(output, "--merge"));
        Assert.That(merge.Code, Is.Zero, merge.Error);
        RunOutputs.AssertSameRun(First(), output);
        AssertSameUnits(First(), output);
    }

    [Test]
    public void RunJsonRecordsTheBlasModeConcordSet()
    {
        var blas = Blas(First());
        Assert.That(blas["mkl_cbwr"]!.GetValue<string>(), Is.EqualTo(NumericalReproducibility.DefaultMode));
        Assert.That(blas["set_by"]!.GetValue<string>(), Is.EqualTo("concord"));
        Assert.That(blas["reproducible"]!.GetValue<bool>(), Is.True);
    }

    [TestCase(NumericalReproducibility.OptOutVariable, "0", "off", "nobody", false)]
    [TestCase(NumericalReproducibility.MklVariable, "COMPATIBLE", "COMPATIBLE", "environment", true)]
    public void RunJsonRecordsTheModeTheEnvironmentChose(string variable, string value, string mode, string setBy, bool reproducible)
    {
        var output = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(TimeSpan.FromMinutes(2), new Dictionary<string, string> { [variable] = value },
            Sva(output, "--examples", "4", "--sweep", "none", "--verify", "none"));
        Assert.That(code, Is.Zero, error);
        var blas = Blas(output);
        Assert.That(blas["mkl_cbwr"]!.GetValue<string>(), Is.EqualTo(mode));
        Assert.That(blas["set_by"]!.GetValue<string>(), Is.EqualTo(setBy));
        Assert.That(blas["reproducible"]!.GetValue<bool>(), Is.EqualTo(reproducible));
    }

    private static JsonObject Blas(string output) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(output, "run.json")))!["machine"]!["blas"]!.AsObject();
}
