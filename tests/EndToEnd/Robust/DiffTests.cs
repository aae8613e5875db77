using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// `concord diff` never says "unchanged" when files differ: the tolerance is a finite number ≥ 0,
/// repeated rows and keys are damage (exit 3), and files of different kinds, folders and truncated
/// files each get one line saying what they are.
/// </summary>
[TestFixture]
public class DiffTests
{
    private const string ScoresHeader = "prompt,layer,kind,index,position,method,score\n";

    private static string Write(string name, string text)
    {
        var path = Path.Combine(TempFolder.New(), name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Snapshot() =>
        Directory.GetFiles(Path.Combine(global::Concord.Tasks.ProjectPaths.Root, "tests", "Agreement", "Fixtures", "__snapshots__"), "*.snap").Order().First();

    private static string Scores() => Write("scores.csv", ScoresHeader + "0,0,head,1,,ig,0.5\n0,0,head,1,,ap,0.25\n");

    private static string Agreement() => Write("agreement.json", """{ "task": "ioi", "heads": { "pearson": 0.9, "spearman": 0.8 } }""");

    [TestCase("NaN", "--tolerance 'NaN': expects a finite number, not NaN")]
    [TestCase("-1", "--tolerance must be a finite number ≥ 0")]
    [TestCase("Infinity", "--tolerance 'Infinity': expects a finite number, not an infinity")]
    [TestCase("0,5", "--tolerance '0,5': a comma is not a decimal point here; write 0.5")]
    public void TheToleranceIsAFiniteNumberAtLeastZero(string tolerance, string fragment)
    {
        var file = Scores();
        ConcordProcess.AssertOneLineError(["diff", file, file, "--tolerance", tolerance], 2, fragment);
    }

    [Test]
    public void EqualFilesAreUnchangedAndAChangeBeyondTheToleranceIsNot()
    {
        var old = Scores();
        var (same, output, _) = ConcordProcess.Run("diff", old, old);
        Assert.That(same, Is.Zero, output);
        Assert.That(output, Does.Contain("0 changed, 0 removed, 0 added, 2 unchanged"));
        var changed = Write("scores.csv", ScoresHeader + "0,0,head,1,,ig,0.75\n0,0,head,1,,ap,0.25\n");
        var (code, diff, _) = ConcordProcess.Run("diff", old, changed, "--tolerance", "0.1");
        Assert.That(code, Is.EqualTo(1), diff);
        Assert.That(diff, Does.Contain("1 changed"));
    }

    [Test]
    public void ARepeatedScoresRowIsNamed() =>
        ConcordProcess.AssertOneLineError(["diff", Scores(), Write("scores.csv", ScoresHeader + "0,0,head,1,,ig,0.5\n0,0,head,1,,ig,0.5\n")], 3,
            "row 2 repeats row 1 (prompt 0 head L0.1 ig)");

    [Test]
    public void ASnapshotWithDuplicatedRowsIsNamed()
    {
        var lines = System.Text.Json.JsonSerializer.Deserialize<string[]>(File.ReadAllText(Snapshot()).TrimStart('\uFEFF'))!;
        var doubled = Write("doubled.snap", System.Text.Json.JsonSerializer.Serialize(lines.Concat(lines.Take(2)).ToArray()));
        ConcordProcess.AssertOneLineError(["diff", Snapshot(), doubled], 3, "appears twice (a duplicated row)");
    }

    [Test]
    public void ADuplicatedJsonKeyIsNamed() =>
        ConcordProcess.AssertOneLineError(["diff", Agreement(), Write("agreement.json", """{ "task": "ioi", "task": "sva" }""")], 3,
            "'task' appears twice (a duplicated key)");

    [Test]
    public void FilesOfDifferentKindsAreNamedAsWhatTheyAre()
    {
        ConcordProcess.AssertOneLineError(["diff", Scores(), Agreement()], 3, "is a scores table (CSV) and");
        ConcordProcess.AssertOneLineError(["diff", Snapshot(), Scores()], 3, "is a snapshot (.snap) and");
        ConcordProcess.AssertOneLineError(["diff", Agreement(), Snapshot()], 3, "is a JSON file and");
    }

    [Test]
    public void ATruncatedSnapshotIsCalledTruncated()
    {
        var text = File.ReadAllText(Snapshot());
        var truncated = Write("cut.snap", text[..(text.Length / 2)]);
        ConcordProcess.AssertOneLineError(["diff", Snapshot(), truncated], 3, "not valid JSON (it breaks off at line");
    }

    [Test]
    public void TwoFoldersAreNamedAsFolders() =>
        ConcordProcess.AssertOneLineError(["diff", TempFolder.New(), TempFolder.New()], 3, "is a folder; diff compares two files");
}
