using Concord.Model;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// The written-files policy (issue 31, <see cref="WritePolicy"/>): every command that writes refuses, in
/// exactly one line and exit 2 before any work, to replace a file it did not create — its own input above
/// all — unless --force says so; a run resuming its own --out goes on; and every guard sees the path the
/// filesystem follows (symlinks, `..`), for folders and single files alike.
/// </summary>
[TestFixture]
public class WrittenFilesPolicyTests
{
    private const string UserWords = "the user's own words\n";

    private static string Hypernymy => Path.Combine(Concord.Tasks.ProjectPaths.Datasets, "hypernymy.csv");

    private static string[] Run(string output, params string[] changes) => CommandLines.With(
        ["run", "--model", TestModels.TinyFolder, "--task", "ioi", "--examples", "2", "--steps", "4", "--sweep", "none", "--verify", "none",
         "--components", "heads", "--out", output], changes);

    private static string[] Filter(string input, string output, params string[] more) =>
        ["datasets", "filter-hypernymy", "--model", TestModels.TinyFolder, "--threshold", "-1", "--file", input, "--out", output, .. more];

    /// <summary>Exit 2 and stderr exactly <c>error: </c> + <paramref name="line"/>, nothing else.</summary>
    private static void AssertRefused(string[] args, string line)
    {
        var (code, output, error) = ConcordProcess.Run(TimeSpan.FromMinutes(3), args);
        Assert.That(code, Is.EqualTo(2), $"concord {string.Join(' ', args)}\n{output}\n{error}");
        Assert.That(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "error: " + line }), error);
    }

    private static string Succeeds(params string[] args)
    {
        var (code, output, error) = ConcordProcess.Run(TimeSpan.FromMinutes(4), args);
        Assert.That(code, Is.Zero, $"concord {string.Join(' ', args)}\n{output}\n{error}");
        return output;
    }

    /// <summary>Every file below <paramref name="folder"/> with its bytes: what "nothing changed" is compared by.</summary>
    private static Dictionary<string, byte[]> Contents(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    /// <summary>The one line for a file of a name the command writes, found in <paramref name="folder"/>.</summary>
    private static string Foreign(string folder, string file) =>
        $"--out {folder}: {Path.Combine(folder, file)} exists and this command did not write it; choose another --out, or add --force to replace it";

    // --- the command's own input ---

    [Test]
    public void AFilterGivenItsInputAsOutputIsRefusedAndTheInputKept()
    {
        var folder = TempFolder.New("same-input");
        var input = Path.Combine(folder, "hypernymy.csv");
        File.Copy(Hypernymy, input);
        var before = File.ReadAllBytes(input);
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        // The same file under three spellings: as given, through `..`, through a symlink to it.
        var link = Path.Combine(folder, "link.csv");
        File.CreateSymbolicLink(link, input);
        foreach (var output in new[] { input, Path.Combine(folder, "sub", "..", "hypernymy.csv"), link })
        {
            AssertRefused(Filter(input, output),
                $"--out {output}: is the input file (--file {input}), which writing would replace; choose another --out, or add --force to replace it");
            Assert.That(File.ReadAllBytes(input), Is.EqualTo(before), $"the input is byte-identical after --out {output}");
        }
    }

    [Test]
    public void AFilterReplacesItsInputOnlyWithForce()
    {
        var input = Path.Combine(TempFolder.New("same-input-forced"), "hypernymy.csv");
        File.Copy(Hypernymy, input);
        Succeeds(Filter(input, input, "--force"));
        Assert.That(File.ReadLines(input).First().Split(','), Does.Contain("prob_diff"), "filtered in place, as asked");
    }

    // --- a single-file output over a file of someone else's ---

    [Test]
    public void AFilterOverAnExistingFileIsRefusedUnlessForced()
    {
        var folder = TempFolder.New("single-file");
        var output = Path.Combine(folder, "mine.csv");
        File.WriteAllText(output, UserWords);
        AssertRefused(Filter(Hypernymy, output), $"--out {output}: exists and this command did not write it; choose another --out, or add --force to replace it");
        Assert.That(File.ReadAllText(output), Is.EqualTo(UserWords));
        Assert.That(Directory.GetFiles(folder), Is.EqualTo(new[] { output }), "nothing else written");

        Succeeds(Filter(Hypernymy, output, "--force"));
        Assert.That(File.ReadLines(output).First().Split(','), Does.Contain("prob_diff"));
    }

    // The system folders these tests aim at cannot take a new file even from root (the tests run as root in CI):
    // /proc is the kernel's, and /etc/passwd is a file. Should a guard ever fail, the command fails to write, never litters.

    [Test]
    public void ASingleFileOutputInASystemFolderOrThroughASymlinkToOneIsRefused()
    {
        var folder = TempFolder.New("single-file-system");
        var link = Path.Combine(folder, "proc");
        Directory.CreateSymbolicLink(link, "/proc");
        string direct = "/proc/concord-policy-test.csv", linked = Path.Combine(link, "concord-policy-test.csv");
        AssertRefused(Filter(Hypernymy, direct), $"--out {direct}: its folder /proc is a system folder; choose a folder of your own");
        AssertRefused(Filter(Hypernymy, linked), $"--out {linked}: its folder resolves to /proc, which is a system folder; choose a folder of your own");
    }

    [Test]
    public void ASingleFileOutputThatIsAFolderIsRefused()
    {
        var folder = TempFolder.New("single-file-folder");
        AssertRefused(Filter(Hypernymy, folder), $"--out {folder}: is a folder; name the file to write");
    }

    // --- folders holding files of the names a command writes ---

    /// <summary>Each command that writes into a folder, with one file of a name it writes (placed there by someone else).</summary>
    private static IEnumerable<TestCaseData> FolderCommands()
    {
        yield return new TestCaseData("report.md", (Func<string, string[]>)(o => Run(o))).SetName("run over report.md");
        yield return new TestCaseData("run.json", (Func<string, string[]>)(o => Run(o))).SetName("run over run.json");
        yield return new TestCaseData("ioi/scores.csv", (Func<string, string[]>)(o => Run(o))).SetName("run over a task's scores.csv");
        yield return new TestCaseData("ioi.csv", (Func<string, string[]>)(o => ["datasets", "generate", "--task", "ioi", "--out", o])).SetName("datasets generate over a task CSV");
        yield return new TestCaseData("config.json", (Func<string, string[]>)(o => ["model", "create-random", "--out", o, "--d-model", "32"])).SetName("create-random over config.json");
        yield return new TestCaseData("model.safetensors", (Func<string, string[]>)(o => ["model", "create-random", "--out", o, "--d-model", "32"])).SetName("create-random over model.safetensors");
        foreach (var file in new[] { "MODEL_CARD.md", "eval.json", "training.json" })
            yield return new TestCaseData(file, (Func<string, string[]>)(o => ["model", "train", "--preset", "tiny", "--steps", "1", "--float32", "--eval-examples", "2", "--out", o]))
                .SetName($"model train over {file}");
    }

    [TestCaseSource(nameof(FolderCommands))]
    public void AFileOfANameTheCommandWritesIsRefusedAndKeptByteIdentical(string file, Func<string, string[]> command)
    {
        var folder = TempFolder.New("foreign");
        var path = Path.Combine(folder, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, UserWords);
        var before = Contents(folder);
        AssertRefused(command(folder), Foreign(folder, file));
        Assert.That(Contents(folder), Is.EqualTo(before), "not a byte changed, nothing added (no lock file, no checkpoint)");
    }

    /// <summary>A name the command writes held by a symlink, to a user's file elsewhere or to nothing: replacing it is replacing a file it did not make.</summary>
    [TestCase(true)]
    [TestCase(false)]
    public void ASymlinkOfANameTheCommandWritesIsRefusedAndItsTargetKept(bool dangling)
    {
        var elsewhere = Path.Combine(TempFolder.New("elsewhere"), "notes.md");
        if (!dangling) File.WriteAllText(elsewhere, UserWords);
        var folder = TempFolder.New("symlinked-name");
        File.CreateSymbolicLink(Path.Combine(folder, "report.md"), elsewhere);
        AssertRefused(Run(folder), Foreign(folder, "report.md"));
        if (dangling) Assert.That(elsewhere, Does.Not.Exist);
        else Assert.That(File.ReadAllText(elsewhere), Is.EqualTo(UserWords));
        Assert.That(Directory.GetFileSystemEntries(folder), Is.EqualTo(new[] { Path.Combine(folder, "report.md") }), "no lock file, nothing else");
    }

    [Test]
    public void ForceLetsEachCommandReplaceThem()
    {
        var model = TempFolder.New("forced-model");
        File.WriteAllText(Path.Combine(model, "config.json"), UserWords);
        Succeeds("model", "create-random", "--out", model, "--d-model", "32", "--force");
        Assert.That(File.ReadAllText(Path.Combine(model, "config.json")), Does.Contain("n_layer"));

        var data = TempFolder.New("forced-data");
        File.WriteAllText(Path.Combine(data, "ioi.csv"), UserWords);
        Succeeds("datasets", "generate", "--task", "ioi", "--out", data, "--force");
        Assert.That(File.ReadAllBytes(Path.Combine(data, "ioi.csv")), Is.EqualTo(File.ReadAllBytes(Path.Combine(Concord.Tasks.ProjectPaths.Datasets, "ioi.csv"))));

        var run = TempFolder.New("forced-run");
        File.WriteAllText(Path.Combine(run, "report.md"), UserWords);
        Succeeds(Run(run, "--force"));
        Assert.That(File.ReadAllText(Path.Combine(run, "report.md")), Is.Not.EqualTo(UserWords));
        Assert.That(Path.Combine(run, "ioi", "scores.csv"), Does.Exist);
    }

    [Test]
    public void RegeneratingIdenticalDatasetsNeedsNoForceAndAnotherSeedDoes()
    {
        var data = TempFolder.New("regenerate");
        Succeeds("datasets", "generate", "--task", "ioi", "--out", data);
        var before = File.ReadAllBytes(Path.Combine(data, "ioi.csv"));
        Assert.That(Succeeds("datasets", "generate", "--task", "ioi", "--out", data), Does.Contain("(unchanged)"));
        // Another seed's rows would replace these: the file is not this command's output any more.
        AssertRefused(["datasets", "generate", "--task", "ioi", "--seed", "3", "--out", data], Foreign(data, "ioi.csv"));
        Assert.That(File.ReadAllBytes(Path.Combine(data, "ioi.csv")), Is.EqualTo(before));
    }

    // --- resuming its own run ---

    [Test]
    public void ARunResumesIntoItsOwnOut()
    {
        var folder = Path.Combine(TempFolder.New("resume"), "results");
        Assert.That(Succeeds(Run(folder)), Does.Match("ioi: [1-9][0-9]* units computed, 0 reused"));
        // The folder is the run's own (its lock file is there): its report.md, run.json and scores are no one else's,
        // so resuming and --fresh go on without --force.
        Assert.That(Succeeds(Run(folder)), Does.Match("ioi: 0 units computed, [1-9][0-9]* reused"));
        Assert.That(Succeeds(Run(folder, "--fresh")), Does.Match("ioi: [1-9][0-9]* units computed, 0 reused"));
    }

    [Test]
    public void ARunThatFailsValidationCreatesNoFolder()
    {
        var parent = TempFolder.New("no-folder");
        var data = Path.Combine(parent, "bad.csv");
        File.WriteAllText(data, "prompt,answer\nhello,1\n");
        var cases = new[]
        {
            (Args: Run(Path.Combine(parent, "a"), "--model", Path.Combine(parent, "no-model")), Code: 3),
            (Args: Run(Path.Combine(parent, "b"), "--data", data), Code: 3),
            (Args: Run(Path.Combine(parent, "c"), "--steps", "0"), Code: 2),
            (Args: Run(Path.Combine(parent, "d", "deeper"), "--device", "cuda:x"), Code: 2),
        };
        foreach (var (args, code) in cases)
        {
            var (exit, _, error) = ConcordProcess.Run(args);
            Assert.That(exit, Is.EqualTo(code), error);
        }
        Assert.That(Directory.GetFileSystemEntries(parent), Is.EqualTo(new[] { data }), "no --out folder (nor its parent) was created");
    }

    // --- paths resolved before every guard ---

    /// <summary>Each command's output named through a symlink to a system folder (made in a temporary folder).</summary>
    private static IEnumerable<TestCaseData> ThroughSymlinks()
    {
        yield return new TestCaseData((Func<string, string[]>)(o => Run(o)), "--out").SetName("run --out");
        yield return new TestCaseData((Func<string, string[]>)(o => ["run", "--model", TestModels.TinyFolder, "--task", "ioi", "--out", o, "--shard", "0/2"]), "--out").SetName("run --shard --out");
        yield return new TestCaseData((Func<string, string[]>)(o => ["datasets", "generate", "--task", "ioi", "--out", o]), "--out").SetName("datasets generate --out");
        yield return new TestCaseData((Func<string, string[]>)(o => ["model", "create-random", "--out", o]), "--out").SetName("model create-random --out");
        yield return new TestCaseData((Func<string, string[]>)(o => ["model", "train", "--preset", "tiny", "--steps", "1", "--out", o]), "--out").SetName("model train --out");
        yield return new TestCaseData((Func<string, string[]>)(o => ["model", "download", "gpt2", "--endpoint", "http://127.0.0.1:1", "--cache", o]), "--cache").SetName("model download --cache");
    }

    [TestCaseSource(nameof(ThroughSymlinks))]
    public void ASymlinkToASystemFolderIsRefusedAsTheFolderItself(Func<string, string[]> command, string flag)
    {
        var folder = TempFolder.New("symlink");
        var link = Path.Combine(folder, "results");
        Directory.CreateSymbolicLink(link, "/proc");
        AssertRefused(command(link), $"{flag} {link}: resolves to /proc, which is a system folder; choose a folder of your own (e.g. {flag} results)");
    }

    [Test]
    public void DotDotIsTakenWhereTheFilesystemTakesIt()
    {
        var folder = TempFolder.New("dotdot");
        Directory.CreateSymbolicLink(Path.Combine(folder, "self"), "/proc/self");
        // Spelled, `self/..` is the temporary folder; followed, it is /proc (/proc/self is itself a link, to /proc/PID).
        var output = Path.Combine(folder, "self", "..");
        AssertRefused(Run(output), $"--out {output}: resolves to /proc, which is a system folder; choose a folder of your own (e.g. --out results)");
        Assert.That(Path.Combine(folder, ".concord-run.lock"), Does.Not.Exist);
    }

    [Test]
    public void AFolderBelowASystemFolderIsRefusedByNameAndThroughASymlink()
    {
        var folder = TempFolder.New("below-system");
        var link = Path.Combine(folder, "etc");
        Directory.CreateSymbolicLink(link, "/etc");
        AssertRefused(Run("/etc/passwd/concord-policy-test"), "--out /etc/passwd/concord-policy-test: lies in /etc, a system folder; choose a folder of your own (e.g. --out results)");
        var through = Path.Combine(link, "passwd", "concord-policy-test");
        AssertRefused(Run(through), $"--out {through}: resolves to /etc/passwd/concord-policy-test, which lies in /etc, a system folder; choose a folder of your own (e.g. --out results)");
    }

    [Test]
    public void ResolveFollowsEverySymlinkAndDotDot()
    {
        var folder = WritePolicy.Resolve(TempFolder.New("resolve"));
        Directory.CreateDirectory(Path.Combine(folder, "real", "inner"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "abs"), Path.Combine(folder, "real", "inner"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "rel"), Path.Combine("real", "inner"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "chain"), "rel");
        File.CreateSymbolicLink(Path.Combine(folder, "loop"), Path.Combine(folder, "loop"));
        Assert.Multiple(() =>
        {
            Assert.That(WritePolicy.Resolve(Path.Combine(folder, "abs", "..", "x")), Is.EqualTo(Path.Combine(folder, "real", "x")));
            Assert.That(WritePolicy.Resolve(Path.Combine(folder, "rel", "..", "..", "y")), Is.EqualTo(Path.Combine(folder, "y")));
            Assert.That(WritePolicy.Resolve(Path.Combine(folder, "chain", "new", "deeper")), Is.EqualTo(Path.Combine(folder, "real", "inner", "new", "deeper")));
            Assert.That(WritePolicy.Resolve(Path.Combine(folder, "not", "yet", "..", "here", ".")), Is.EqualTo(Path.Combine(folder, "not", "here")));
            Assert.That(() => WritePolicy.Resolve(Path.Combine(folder, "loop", "x")), Throws.ArgumentException.With.Message.Contains("too many levels of symbolic links"));
        });
    }
}
