using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Tasks;

/// <summary>Loading task CSVs: the reference files, the project's files, and every malformed input.</summary>
[TestFixture]
public partial class TaskDatasetTests
{
    private static readonly TaskResources Resources = new();
    private static Gpt2Tokenizer Tokenizer => Resources.Tokenizer;

    private static string Write(string content, string name = "task.csv")
    {
        var path = Path.Combine(TempFolder.New(), name);
        File.WriteAllText(path, content);
        return path;
    }

    private static DatasetException Rejected(TaskKind kind, string path, TaskOptions? options = null) =>
        Assert.Throws<DatasetException>(() => TaskDataset.Load(kind, path, Resources, options))!;

    [Test]
    public void MissingFileIsNamed() =>
        Assert.That(Rejected(TaskKind.Ioi, "/nonexistent/ioi.csv").Message, Does.Contain("/nonexistent/ioi.csv").And.Contain("not found"));

    [Test]
    public void EmptyFileIsAnError() =>
        Assert.That(Rejected(TaskKind.GreaterThan, Write("")).Message, Does.Contain("empty file"));

    [Test]
    public void HeaderWithoutRowsIsAnError() =>
        Assert.That(Rejected(TaskKind.GreaterThan, Write("clean,corrupted,correct_idx\n")).Message, Does.Contain("no data rows"));

    [Test]
    public void MissingColumnIsNamed()
    {
        var error = Rejected(TaskKind.GreaterThan, Write("clean,corrupted\nThe war lasted from the year 1741 to the year 17,x\n"));
        Assert.That(error.Message, Does.Contain("missing column 'correct_idx'"));
    }

    [Test]
    public void UnparsableNumberNamesRowAndColumn()
    {
        var path = Write("clean,corrupted,correct_idx\n" +
                         "The war lasted from the year 1741 to the year 17,The war lasted from the year 1701 to the year 17,41\n" +
                         "The war lasted from the year 1752 to the year 17,The war lasted from the year 1701 to the year 17,fifty\n");
        var error = Rejected(TaskKind.GreaterThan, path);
        Assert.That(error.Message, Does.Contain(path).And.Contain("row 2").And.Contain("'correct_idx'").And.Contain("'fifty' is not an integer"));
    }

    [Test]
    public void UnparsableListNamesRowAndColumn()
    {
        var path = Write("clean,answers,answers_idx,corrupted,corrupted_answers,corrupted_answers_idx\n" +
                         "\", diamonds and other\",\"['gems']\",\"[23685\",\", beer and other\",\"['drinks']\",[11758]\n");
        var error = Rejected(TaskKind.Hypernymy, path);
        Assert.That(error.Message, Does.Contain("row 1").And.Contain("'answers_idx'").And.Contain("list literal"));
    }

    private const string Gender =
        "clean,corrupted,clean_answer_idx,corrupted_answer_idx,label\n" +
        "The nurse said that,The man said that,673,339,0\n" +
        "The nurse yelled that,The man yelled that,673,339,0\n";

    private static string WriteBytes(byte[] bytes)
    {
        var path = Path.Combine(TempFolder.New(), "gender_bias.csv");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [TestCase("utf-16", true, "UTF-16 (little-endian)")]
    [TestCase("utf-16", false, "UTF-16 (little-endian)")]
    [TestCase("utf-16BE", true, "UTF-16 (big-endian)")]
    [TestCase("utf-16BE", false, "UTF-16 (big-endian)")]
    [TestCase("utf-32", true, "UTF-32 (little-endian)")]
    [TestCase("utf-32", false, "UTF-32 (little-endian)")]
    [TestCase("utf-32BE", true, "UTF-32 (big-endian)")]
    [TestCase("utf-32BE", false, "UTF-32 (big-endian)")]
    public void AWideEncodingIsNamedWithTheRemedy(string encodingName, bool byteOrderMark, string named)
    {
        var encoding = System.Text.Encoding.GetEncoding(encodingName);
        var path = WriteBytes([.. byteOrderMark ? encoding.GetPreamble() : [], .. encoding.GetBytes(Gender)]);
        Assert.That(Rejected(TaskKind.GenderBias, path).Message, Is.EqualTo($"{path}: the file is {named} text; save it as UTF-8 (CSV files are read as UTF-8)"));
    }

    [Test]
    public void AUtf8ByteOrderMarkIsRead() =>
        Assert.That(TaskDataset.Load(TaskKind.GenderBias, WriteBytes([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(Gender)]), Resources).RowsRead, Is.EqualTo(2));

    [Test]
    public void AByteThatIsNotUtf8IsNamedByItsLine()
    {
        // "yelledé" as Latin-1 writes it: 0xE9 alone, which starts no UTF-8 character here.
        var bytes = System.Text.Encoding.UTF8.GetBytes(Gender.Replace("yelled", "yelled\u00e9"));
        bytes = [.. bytes.Take(Array.IndexOf(bytes, (byte)0xC3)), 0xE9, .. bytes.Skip(Array.IndexOf(bytes, (byte)0xC3) + 2)];
        var path = WriteBytes(bytes);
        Assert.That(Rejected(TaskKind.GenderBias, path).Message, Does.StartWith($"{path}: line 3: not UTF-8 (byte 0xE9 at offset").And.EndWith("save the file as UTF-8"));
    }

    [TestCase("The nurse yelled", "\"The nurse yelled", "row 2 (line 3), column 'clean'")]
    [TestCase("The man said", "\"The man said", "row 1 (line 2), column 'corrupted'")]
    [TestCase("clean_answer_idx", "\"clean_answer_idx", "the header (line 1), field 3")]
    public void AnUnclosedQuoteIsNamedByRowAndColumn(string field, string opened, string where)
    {
        var path = Write(Gender.Replace(field, opened));
        Assert.That(Rejected(TaskKind.GenderBias, path).Message, Does.StartWith($"{path}: {where}: a quote is never closed"));
    }

    [Test]
    public void UnknownTaskIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => TaskKinds.Parse("sentiment"));
        Assert.That(error!.Message, Does.Contain("unknown task 'sentiment'").And.Contain("greater-than"));
    }

    [TestCase(",,")]
    [TestCase(" ")]
    [TestCase("")]
    public void AListNamingNoTaskIsRefused(string list)
    {
        var error = Assert.Throws<ArgumentException>(() => TaskKinds.ParseList(list));
        Assert.That(error!.Message, Does.Contain("names no task").And.Contain("greater-than"));
    }

    [Test]
    public void AllInAListIsEveryTask() => Assert.That(TaskKinds.ParseList("ioi,all,"), Is.EqualTo(TaskKinds.All));

    private const string MismatchedIoi =
        ",clean,corrupted,corrupted_hard,correct_idx,incorrect_idx\n" +
        "0,\"When Mary and John went to the store, John gave a drink to\",\"When Mary and John went to the store, Bob gave a drink to\",\"When Mary and John went to the store, Mary gave a drink to\",5335,1757\n" +
        "1,\"When Mary and John went to the store, John gave a drink to\",\"When Mary and John went to the store, Tirana gave a drink to\",\"When Mary and John went to the store, Abu Dhabi gave a drink to\",5335,1757\n";

    [Test]
    public void UnequalTokenLengthsNameTheRow()
    {
        var error = Rejected(TaskKind.Ioi, Write(MismatchedIoi));
        // The library names its own setting; the CLI says --drop-invalid (RunErrorTests).
        Assert.That(error.Message, Does.Contain("row 2").And.Contain("DropInvalid"));
        Assert.That(error.Remedy?.Setting, Is.EqualTo(nameof(TaskOptions.DropInvalid)));
    }

    [Test]
    public void DropInvalidSkipsAndCountsTheRows()
    {
        var dataset = TaskDataset.Load(TaskKind.Ioi, Write(MismatchedIoi), Resources, new TaskOptions { DropInvalid = true });
        Assert.That(dataset.Examples.Select(e => e.Row), Is.EqualTo(new[] { 1 }));
        Assert.That(dataset.Dropped.Single().Row, Is.EqualTo(2));
        Assert.That(dataset.Dropped.Single().CorruptedTokens, Is.GreaterThan(dataset.Dropped.Single().CleanTokens));
    }

    [Test]
    public void IoiCorruptionChoosesTheColumn()
    {
        var path = Write(MismatchedIoi.Split('\n')[0] + "\n" + MismatchedIoi.Split('\n')[1] + "\n");
        var hard = TaskDataset.Load(TaskKind.Ioi, path, Resources);
        var third = TaskDataset.Load(TaskKind.Ioi, path, Resources, new TaskOptions { IoiCorruption = IoiCorruption.ThirdName });
        Assert.That(hard.Examples[0].Corrupted, Does.Contain("Mary gave"));
        Assert.That(third.Examples[0].Corrupted, Does.Contain("Bob gave"));
    }
}
