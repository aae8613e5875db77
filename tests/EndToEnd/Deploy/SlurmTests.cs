using System.Diagnostics;
using Concord.Tasks;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Deploy;

/// <summary>
/// The real sbatch path: deploy/slurm/local-cluster.sh starts a one-node Slurm on this machine,
/// deploy/slurm/submit.sh submits a 3-shard array job and the dependent merge job on the tiny model,
/// and the merged outputs equal a one-process run's. Skipped, with the script's reason, where Slurm
/// cannot start (not root, no apt, no packages).
/// </summary>
[TestFixture, NonParallelizable]
public class SlurmTests
{
    private static readonly string Scripts = Path.Combine(ProjectPaths.Root, "deploy", "slurm");
    private string _cluster = "";
    private Dictionary<string, string> _environment = [];

    private static (int Code, string Out, string Error) Bash(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("bash");
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        return ChildProcess.Run(start, timeout);
    }

    [OneTimeSetUp]
    public void StartTheCluster()
    {
        _cluster = TempFolder.New();
        // Installing the packages (first time on a machine) takes a minute or two.
        var (code, output, error) = Bash(TimeSpan.FromMinutes(10), new Dictionary<string, string>(), Path.Combine(Scripts, "local-cluster.sh"), "start", _cluster);
        if (code == 3) Assert.Ignore($"Slurm cannot run here: {error.Trim()}");
        Assert.That(code, Is.Zero, $"local-cluster.sh start failed: {error}");
        var conf = output.Split('\n').Single(l => l.StartsWith("export SLURM_CONF=", StringComparison.Ordinal))["export SLURM_CONF=".Length..];
        _environment = new Dictionary<string, string> { ["SLURM_CONF"] = conf };
    }

    [OneTimeTearDown]
    public void StopTheCluster()
    {
        if (_cluster.Length > 0) Bash(TimeSpan.FromMinutes(1), new Dictionary<string, string>(), Path.Combine(Scripts, "local-cluster.sh"), "stop", _cluster);
    }

    private const string Options = "--examples 4 --batch-size 2 --steps 16 --neurons 8 --sweep 0.5,1";

    [Test]
    public void AThreeShardArrayJobAndItsMergeJobGiveTheOneProcessReport()
    {
        var output = TempFolder.New();
        var concord = Path.Combine(AppContext.BaseDirectory, "concord");
        var settings = new Dictionary<string, string>(_environment)
        {
            ["SHARDS"] = "3", ["OUT"] = output, ["MODEL"] = TestModels.TinyFolder, ["TASKS"] = "ioi,greater-than", ["OPTIONS"] = Options,
            ["CPUS"] = "1", ["MEM"] = "1G", ["TIME"] = "00:10:00", ["CONCORD"] = concord,
        };
        var (code, submitted, error) = Bash(TimeSpan.FromMinutes(2), settings, Path.Combine(Scripts, "submit.sh"));
        Assert.That(code, Is.Zero, error);
        var jobs = File.ReadAllText(Path.Combine(output, "slurm", "jobs")).Split(' ', StringSplitOptions.TrimEntries);

        // Wait until Slurm no longer lists either job (accounting is off on the one-node cluster, so squeue is the record).
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (_, queued, _) = Bash(TimeSpan.FromMinutes(1), _environment, "-c", $"squeue -h -j {jobs[0]},{jobs[1]} -o %i");
            if (queued.Trim().Length == 0) break;
            if (clock.Elapsed > TimeSpan.FromMinutes(8)) Assert.Fail($"the jobs did not finish in 8 minutes:\n{queued}\n{submitted}");
            Thread.Sleep(500);
        }
        string Log(string name) => File.Exists(Path.Combine(output, "slurm", name)) ? File.ReadAllText(Path.Combine(output, "slurm", name)) : $"({name} missing)";
        for (int i = 0; i < 3; i++) Assert.That(Log($"shard-{i}.log"), Does.Contain($"shard {i}/3 done"), $"shard {i}");
        Assert.That(File.Exists(Path.Combine(output, "report.md")), Is.True, $"the merge job wrote the report:\n{Log("merge.log")}");

        // With the shards' thread count (CPUS=1): float32 sums are reduced in a thread-count-dependent
        // order, so with 2 threads the numbers differ in round-off (and run.json's torch_threads).
        var oneProcess = TempFolder.New();
        var (single, _, singleError) = ConcordProcess.Run(TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" },
            ["run", "--model", TestModels.TinyFolder, "--task", "ioi,greater-than", "--out", oneProcess, .. Options.Split(' ')]);
        Assert.That(single, Is.Zero, singleError);
        RunOutputs.AssertSameRun(oneProcess, output, "slurm");
    }
}
