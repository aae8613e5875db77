using System.Security.Cryptography;
using System.Text;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// Concord deletes only its own temporaries (named by writer process, host and write) and only in
/// the folders it writes: a user's files with ".tmp-" in their names, at every depth of an output
/// folder, survive every command that writes there; system folders are refused before anything is touched.
/// </summary>
[TestFixture]
public class UserFilesSurviveTests
{
    private static readonly string Host = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Environment.MachineName)))[..8];

    /// <summary>User files a scan for "*.tmp-*" would take: top level, in Concord's own folders, and deep in folders of the user's.</summary>
    private static readonly string[] UserFiles =
    [
        "report.tmp-2024.csv",
        "chapter1.tmp-draft",
        "projects/thesis/chapter1.tmp-draft",
        // Concord's exact pattern, but in a folder Concord never writes: the user's.
        $"projects/thesis/old.json.tmp-1-{Host}-1",
        "ioi/notes.tmp-1",
        "ioi/units/mine.tmp-draft",
        $"ioi/units/nested/unit.json.tmp-1-{Host}-2",
        "ioi/units/notes.json",
    ];

    private static string Seeded()
    {
        var folder = TempFolder.New();
        foreach (var file in UserFiles)
        {
            var path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "the user's own words");
        }
        return folder;
    }

    private static void AssertSurvived(string folder, string after)
    {
        foreach (var file in UserFiles)
            Assert.That(File.ReadAllText(Path.Combine(folder, file)), Is.EqualTo("the user's own words"), $"{file} after {after}");
    }

    private static void Succeeds(params string[] args)
    {
        var (code, output, error) = ConcordProcess.Run(TimeSpan.FromMinutes(4), args);
        Assert.That(code, Is.Zero, $"concord {string.Join(' ', args)}\n{output}\n{error}");
    }

    private static string[] Run(string output, params string[] changes) => CommandLines.With(
        ["run", "--model", TestModels.TinyFolder, "--task", "ioi", "--examples", "2", "--steps", "4", "--sweep", "none", "--verify", "none",
         "--components", "heads", "--out", output], changes);

    [Test]
    public void RunsResumesFreshRunsShardsAndMergesDeleteOnlyConcordsOwnTemporaries()
    {
        var folder = Seeded();
        // A temporary Concord left (a dead writer's, by its exact name) in a folder Concord writes: garbage, cleared.
        var stale = Path.Combine(folder, "ioi", "units", $"metrics-0123456789abcdef.json.tmp-999999-{Host}-7");
        File.WriteAllText(stale, "half a unit");
        Succeeds(Run(folder));
        AssertSurvived(folder, "a run");
        Assert.That(stale, Does.Not.Exist, "Concord's own stale temporary is cleared");
        Assert.That(Path.Combine(folder, "ioi", "scores.csv"), Does.Exist);

        Succeeds(Run(folder));
        AssertSurvived(folder, "a resumed run");
        Succeeds(Run(folder, "--fresh"));
        AssertSurvived(folder, "a --fresh run");
        Assert.That(Directory.GetFiles(Path.Combine(folder, "ioi", "units"), "*.json").Length, Is.GreaterThan(1), "--fresh recomputed the units");

        var sharded = Seeded();
        Succeeds(Run(sharded, "--shard", "0/1"));
        AssertSurvived(sharded, "a shard");
        Succeeds(Run(sharded, "--merge"));
        AssertSurvived(sharded, "a merge");
    }

    [Test]
    public void ModelAndDatasetCommandsLeaveTheUsersFilesAlone()
    {
        var model = Seeded();
        Succeeds("model", "create-random", "--out", model, "--preset", "tiny", "--d-model", "32");
        AssertSurvived(model, "model create-random");

        var trained = Seeded();
        Succeeds("model", "train", "--preset", "tiny", "--steps", "2", "--float32", "--eval-examples", "2", "--out", trained);
        AssertSurvived(trained, "model train");

        var data = Seeded();
        Succeeds("datasets", "generate", "--task", "ioi", "--out", data);
        AssertSurvived(data, "datasets generate");
        Succeeds("datasets", "filter-hypernymy", "--model", TestModels.TinyFolder, "--threshold", "-1", "--out", Path.Combine(data, "hypernymy.csv"));
        AssertSurvived(data, "datasets filter-hypernymy");
    }

    [TestCase("/")]
    [TestCase("/usr")]
    [TestCase("/etc")]
    [TestCase("/proc/x")]
    [TestCase("/sys/concord")]
    public void SystemFoldersAreRefusedBeforeAnythingIsTouched(string folder)
    {
        var lockFile = Path.Combine(folder, ".concord-run.lock");
        bool lockBefore = File.Exists(lockFile);
        ConcordProcess.AssertOneLineError(Run(folder), 2, $"--out {folder}:");
        Assert.That(File.Exists(lockFile), Is.EqualTo(lockBefore), "no lock file is left in a system folder");
    }

    [TestCase("model", "create-random", "--out", "/")]
    [TestCase("model", "train", "--preset", "tiny", "--steps", "1", "--out", "/usr")]
    [TestCase("datasets", "generate", "--task", "ioi", "--out", "/")]
    public void OtherCommandsRefuseSystemFoldersToo(params string[] args) =>
        ConcordProcess.AssertOneLineError(args, 2, $"--out {args[^1]}:");
}
