using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using System.Diagnostics;
using System.Globalization;
using Concord.Cli;
using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>
/// A run split into shards (real processes, one shared --out, as on a cluster) and merged equals the
/// one-process run; shards may run at once, be killed and re-run; mistakes are refused in one line.
/// </summary>
[TestFixture, NonParallelizable]
public class ShardTests
{
    // 2 tasks × 2 batches × 12 units (metrics, 3 methods × 3 kinds, the s = 0.5 sweep on 2 kinds) = 48 units
    // the shards compute, and 2 × 2 × 3 verification units (one per batch and kind) that the merge computes.
    private const int Units = 48;
    private const int VerificationUnits = 12;

    private static string[] Run(string output, params string[] changes) => CommandLines.With(
        ["run", "--model", TestModels.TinyFolder, "--task", "ioi,greater-than", "--examples", "4", "--batch-size", "2", "--steps", "16",
         "--neurons", "8", "--sweep", "0.5,1", "--out", output], changes);

    private static string? _oneProcess;

    /// <summary>The reference: the same options in one process.</summary>
    private static string OneProcess()
    {
        if (_oneProcess is not null) return _oneProcess;
        var output = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(Run(output));
        Assert.That(code, Is.Zero, error);
        return _oneProcess = output;
    }

    private static int Computed(string shardOutput) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(shardOutput, @"shard \d+/\d+ done: (\d+) units computed").Groups[1].Value, CultureInfo.InvariantCulture);

    private static void Merge(string output)
    {
        var (code, _, error) = ConcordProcess.Run(Run(output, "--merge"));
        Assert.That(code, Is.Zero, error);
    }

    [Test]
    public void ThreeShardsAtOnceThenAMergeEqualTheOneProcessRun()
    {
        var output = TempFolder.New();
        var shards = Enumerable.Range(0, 3).Select(i => ChildProcess.Start(ConcordProcess.StartInfo(Run(output, "--shard", $"{i}/3")))).ToList();
        var results = shards.Select(p => p.Finish(TimeSpan.FromMinutes(3))).ToList();
        shards.ForEach(p => p.Dispose());
        foreach (var (code, _, error) in results) Assert.That(code, Is.Zero, error);
        Assert.That(results.Select(r => Computed(r.Out)), Is.EqualTo(new[] { Units / 3, Units / 3, Units / 3 }), "each unit computed by exactly its shard");
        Assert.That(File.Exists(Path.Combine(output, "report.md")), Is.False, "a shard writes no report");

        var merge = ConcordProcess.Run(Run(output, "--merge"));
        Assert.That(merge.Code, Is.Zero, merge.Error);
        Assert.That(merge.Out, Does.Contain($"ioi: {VerificationUnits / 2} units computed"), "the merge computes the verification, which needs every shard's attribution");
        RunOutputs.AssertSameRun(OneProcess(), output);
    }

    [Test]
    public void InBothDirectionsShardsComputeBothAttributionsAndTheMergeTheInteractions()
    {
        var output = TempFolder.New();
        string[] both = ["--direction", "both", "--interactions", "3"];
        var shards = Enumerable.Range(0, 2).Select(i => ConcordProcess.Run(Run(output, [.. both, "--shard", $"{i}/2"]))).ToList();
        foreach (var (code, _, error) in shards) Assert.That(code, Is.Zero, error);
        // The opposite direction: metrics and 3 methods × 3 kinds (no sweep) = 10 more units per batch, 40 over 2 tasks × 2 batches.
        Assert.That(shards.Sum(r => Computed(r.Out)), Is.EqualTo(Units + 40), "both directions' attribution, split between the shards");
        var merge = ConcordProcess.Run(Run(output, [.. both, "--merge"]));
        Assert.That(merge.Code, Is.Zero, merge.Error);
        // Per task: 2 batches × 3 kinds of verification units and as many interaction units.
        Assert.That(merge.Out, Does.Contain($"ioi: {VerificationUnits} units computed"), "the merge computes the verification and the interactions");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "ioi", AgreementJsonExporter.FileName)));
        Assert.That(doc.RootElement.GetProperty("structure").GetProperty("kinds").GetArrayLength(), Is.EqualTo(3));
    }

    [Test]
    public void AShardKilledMidRunLeavesNoPartialUnitAndItsRerunFinishesOnlyWhatIsMissing()
    {
        var output = TempFolder.New();
        string[] UnitFiles() => Directory.Exists(output) ? Directory.GetFiles(output, "*.json", SearchOption.AllDirectories).Where(f => f.Contains("/units/")).ToArray() : [];
        using (var process = Process.Start(ConcordProcess.StartInfo(Run(output, "--shard", "0/2")))!)
        {
            var clock = Stopwatch.StartNew();
            while (UnitFiles().Length < 3 && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
            Assume.That(process.HasExited, Is.False, "the shard finished before it could be killed; nothing to test");
            process.Kill();   // SIGKILL: a write may be cut anywhere
            process.WaitForExit();
        }
        int kept = UnitFiles().Length;
        foreach (var file in UnitFiles())
            Assert.That(new FileUnitStore(Path.GetDirectoryName(file)!).TryLoad(Path.GetFileNameWithoutExtension(file), out _), Is.True, $"{file} is whole");

        var (code, rerun, error) = ConcordProcess.Run(Run(output, "--shard", "0/2"));
        Assert.That(code, Is.Zero, error);
        Assert.That(Computed(rerun), Is.EqualTo(Units / 2 - kept), "the re-run computes only the shard's missing units");
        Assert.That(Directory.GetFiles(output, AtomicFile.TemporaryPattern, SearchOption.AllDirectories), Is.Empty, "the killed write's temporary is cleared");
        (code, _, error) = ConcordProcess.Run(Run(output, "--shard", "1/2"));
        Assert.That(code, Is.Zero, error);
        Merge(output);
        RunOutputs.AssertSameRun(OneProcess(), output);
    }

    [Test]
    public void AMergeWithMissingUnitsNamesThemAndWritesNothing()
    {
        var output = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(Run(output, "--shard", "1/3"));
        Assert.That(code, Is.Zero, error);
        (code, _, error) = ConcordProcess.Run(Run(output, "--merge"));
        Assert.That(code, Is.EqualTo(CliRunner.IncompleteError), error);
        Assert.That(error, Does.StartWith($"error: --out {output}: {2 * Units / 3} of {Units + VerificationUnits} units are missing, so no output was written (shard 0/3: 16, shard 2/3: 16)"));
        Assert.That(error, Does.Contain("shard 0/3     0  ioi             metrics").And.Contain("… and 12 more"));
        Assert.That(error, Does.Not.Contain("shard 1/3 "), "shard 1 is complete");
        Assert.That(Directory.GetFiles(output, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/units/") && !Path.GetFileName(f).StartsWith('.')),
            Is.EquivalentTo(new[] { Path.Combine(output, ShardManifest.FileName) }), "no scores, agreement, plot, report or run.json");
    }

    [Test]
    public void ShardsOfDifferentRunsInOneFolderAreRefused()
    {
        var output = TempFolder.New();
        var (code, _, error) = ConcordProcess.Run(Run(output, "--shard", "0/2", "--task", "greater-than"));
        Assert.That(code, Is.Zero, error);
        ConcordProcess.AssertOneLineError(Run(output, "--shard", "1/2", "--task", "greater-than", "--steps", "8"), CliRunner.UsageError,
            "holds the units of a different run than this shard (2 shards) (ig 'gauss-legendre/16;baseline=aligned' there, 'gauss-legendre/8;baseline=aligned' here)");
        ConcordProcess.AssertOneLineError(Run(output, "--shard", "1/3", "--task", "greater-than"), CliRunner.UsageError,
            "holds a run split into 2 shards, not 3");
        ConcordProcess.AssertOneLineError(Run(output, "--merge", "--task", "greater-than", "--seed", "1"), CliRunner.UsageError,
            "holds the units of a different run than this merge (seed '0' there, '1' here; neurons 'neurons=8;seed=0' there, 'neurons=8;seed=1' here)");
    }

    [TestCase("0/0", "N, the number of shards, must be at least 1")]
    [TestCase("3/3", "I must lie between 0 and 2")]
    [TestCase("x/2", "expected I/N with whole numbers")]
    [TestCase("-1/2", "expected I/N with whole numbers")]
    [TestCase("1", "expected I/N with whole numbers")]
    public void ABadShardIsOneLine(string shard, string fragment) =>
        ConcordProcess.AssertOneLineError(Run(TempFolder.New(), "--shard", shard), CliRunner.UsageError, $"--shard {shard}: {fragment}");

    [TestCase("--merge", "--shard and --merge are separate steps")]
    [TestCase("--fresh", "--fresh with --shard would delete the other shards' units")]
    public void ShardWithAConflictingOptionIsOneLine(string option, string fragment) =>
        ConcordProcess.AssertOneLineError(Run(TempFolder.New(), "--shard", "0/2", option), CliRunner.UsageError, fragment);

    [Test]
    public void ShardsShareTheFolderButNotAShardAndNotWithAOneProcessRun()
    {
        var output = TempFolder.New();
        using (OutputFolder.ClaimShard(output, new Shard(0, 2)))
        using (OutputFolder.ClaimShard(output, new Shard(1, 2)))
        {
            Assert.That(() => OutputFolder.ClaimShard(output, new Shard(1, 2)), Throws.InstanceOf<IOException>().With.Message.Contains("shard 1/2 of this run is already running there"));
            Assert.That(() => OutputFolder.Claim(output), Throws.InstanceOf<IOException>().With.Message.Contains("another concord run (or a shard) is writing there"));
        }
        using (OutputFolder.Claim(output))
            Assert.That(() => OutputFolder.ClaimShard(output, new Shard(0, 2)), Throws.InstanceOf<IOException>().With.Message.Contains("a one-process concord run or a merge is using it"));
        using (OutputFolder.ClaimShard(output, new Shard(0, 2))) { }
    }

    [Test]
    public void ATemporaryIsAnOrphanOnlyWhenItsWriterOnThisMachineHasExited()
    {
        var folder = TempFolder.New();
        var target = Path.Combine(folder, "unit.json");
        string mine = "";
        AtomicFile.Write(target, tmp => { mine = tmp; File.WriteAllText(tmp, "{}"); });
        var parts = mine[(mine.LastIndexOf(".tmp-", StringComparison.Ordinal) + ".tmp-".Length)..].Split('-');   // PID, host, write
        Assert.That(parts, Has.Length.EqualTo(3), mine);
        int exitedPid;
        using (var exited = Process.Start("true")!) { exited.WaitForExit(); exitedPid = exited.Id; }
        string Temporary(int pid, string host) => $"{target}.tmp-{pid}-{host}-{parts[2]}";
        Assert.That(AtomicFile.IsOrphan(mine), Is.False, "this process is alive");
        Assert.That(AtomicFile.IsOrphan(Temporary(exitedPid, parts[1])), Is.True, "its writer has exited");
        Assert.That(AtomicFile.IsOrphan(Temporary(exitedPid, "0badc0de")), Is.False, "another machine's writer may still run");
        Assert.That(AtomicFile.IsOrphan(Path.Combine(folder, "unit.json.tmp-12")), Is.False, "an older name cannot be traced");
    }
}
