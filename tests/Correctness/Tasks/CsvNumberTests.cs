using Concord.Tasks;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Tasks;

/// <summary>
/// Numbers in task CSVs are token ids and labels: a loosely read one is silently another token, so
/// each spelling is either the invariant integer (or pandas' whole float) or refused by row and column.
/// </summary>
[TestFixture]
public class CsvNumberTests
{
    private static CsvRow Row(string value) => new("t.csv", 1, new Dictionary<string, string> { ["idx"] = value });

    [TestCase("14235", 14235)]
    [TestCase("14235.0", 14235)]
    [TestCase("14235.", 14235)]
    [TestCase("-3", -3)]
    [TestCase("+3", 3)]
    [TestCase("007", 7)]
    public void AnIntegerIsReadAsWritten(string text, int expected) => Assert.That(Row(text).Int("idx"), Is.EqualTo(expected));

    [TestCase("1,000")]
    [TestCase("0,5")]
    [TestCase(" 14")]
    [TestCase("14 ")]
    [TestCase("1e3")]
    [TestCase("14.5")]
    [TestCase("١٤")]
    [TestCase("NaN")]
    [TestCase("Infinity")]
    [TestCase("0x10")]
    [TestCase("99999999999")]
    [TestCase("14x")]
    public void AnythingElseIsRefusedByRowAndColumn(string text) =>
        Assert.That(() => Row(text).Int("idx"), Throws.TypeOf<DatasetException>().With.Message.Contains("t.csv: row 1, column 'idx': '" + text + "'"));

    [TestCase("[16840, 23685]", new[] { 16840, 23685 })]
    [TestCase("[1,2]", new[] { 1, 2 })]
    [TestCase("[ -1 ]", new[] { -1 })]
    public void AListOfIntegersIsReadAsPythonWritesIt(string text, int[] expected) => Assert.That(ListLiteral.ParseInts(text), Is.EqualTo(expected));

    [TestCase("[1.5, 2]")]
    [TestCase("[1e3]")]
    [TestCase("[١]")]
    [TestCase("[0x10]")]
    [TestCase("[1 2]")]
    [TestCase("[1,,2]")]
    public void AListWithAnythingElseIsRefused(string text) => Assert.That(() => ListLiteral.ParseInts(text), Throws.TypeOf<FormatException>());
}
