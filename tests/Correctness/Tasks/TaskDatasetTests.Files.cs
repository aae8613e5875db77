using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Generators;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Tasks;

/// <summary>The reference files of the original study (skipped without ../shared) and the project's generated files.</summary>
public partial class TaskDatasetTests
{
    [TestCase(TaskKind.Ioi, 1000)]
    [TestCase(TaskKind.GenderBias, 986)]
    [TestCase(TaskKind.GreaterThan, 1000)]
    [TestCase(TaskKind.CapitalCountry, 190)]
    [TestCase(TaskKind.Sva, 12400)]
    [TestCase(TaskKind.Hypernymy, 198)]
    public void ReferenceFileLoadsWithItsRowCount(TaskKind kind, int rows)
    {
        var path = SharedFiles.Require(Path.Combine("reference-datasets", kind.FileName()));
        var verbs = SharedFiles.Require(Path.Combine("reference-datasets", "sva_verbs.csv"));
        var dataset = TaskDataset.Load(kind, path, new TaskResources(svaVerbsFile: verbs));
        Assert.That(dataset.RowsRead, Is.EqualTo(rows));
        AssertAnswersDecodeToTheirWords(kind, path);
    }

    private static IEnumerable<TaskKind> Kinds() => TaskKinds.All;

    [TestCaseSource(nameof(Kinds))]
    public void ProjectFileLoadsWithSingleTokenAnswersAndEqualLengths(TaskKind kind)
    {
        // Loading without DropInvalid fails on any row of unequal token lengths.
        var dataset = TaskDataset.Load(kind, Resources.DefaultFile(kind), Resources);
        Assert.That(dataset.Dropped, Is.Empty);
        Assert.That(dataset.Examples, Has.Count.GreaterThanOrEqualTo(MinimumRows(kind)));
        foreach (var e in dataset.Examples)
            Assert.That(e.Positive.Concat(e.Negative).Select(id => Tokenizer.Decode(id)), Has.All.Not.Empty, $"row {e.Row}");
        AssertAnswersDecodeToTheirWords(kind, Resources.DefaultFile(kind));
    }

    private static int MinimumRows(TaskKind kind) => kind switch
    {
        TaskKind.Ioi or TaskKind.GreaterThan => 1000,
        TaskKind.GenderBias => 986,
        TaskKind.CapitalCountry => 190,
        TaskKind.Sva => 2000,
        _ => 198,
    };

    [Test]
    public void RegeneratingTheDatasetsReproducesTheCommittedFilesByteForByte()
    {
        var folder = TempFolder.New();
        var words = new WordLists(Path.Combine(ProjectPaths.Datasets, "words"));
        foreach (var kind in TaskKinds.All)
        {
            var path = Path.Combine(folder, kind.FileName());
            DatasetGenerator.For(kind).Generate(words, path, seed: 0, Tokenizer);
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(File.ReadAllBytes(Resources.DefaultFile(kind))), kind.FileName());
        }
    }

    [Test]
    public void SvaVerbListKeepsOnlySingleTokenPairs()
    {
        var verbs = Resources.Verbs;
        Assert.That(verbs.Pairs, Has.Count.GreaterThan(100));
        foreach (var (s, p) in verbs.Pairs)
        {
            Assert.That(Tokenizer.IsSingleToken(" " + s), Is.True, s);
            Assert.That(Tokenizer.IsSingleToken(" " + p), Is.True, p);
        }
    }

    /// <summary>Answer ids must decode to the words the row names (the columns are redundant on purpose).</summary>
    private static void AssertAnswersDecodeToTheirWords(TaskKind kind, string path)
    {
        string D(int id) => Tokenizer.Decode(id);
        foreach (var row in CsvTable.Read(path, []))
        {
            switch (kind)
            {
                case TaskKind.Ioi:
                    Assert.That(row.Text("clean"), Does.Contain(D(row.Int("correct_idx")).Trim() + " and").Or.Contain("and" + D(row.Int("correct_idx"))), $"row {row.Row}: IO in the clean prompt");
                    Assert.That(row.Text("clean"), Does.Contain(D(row.Int("incorrect_idx"))), $"row {row.Row}: S in the clean prompt");
                    break;
                case TaskKind.GenderBias:
                    var pronouns = new[] { D(row.Int("clean_answer_idx")), D(row.Int("corrupted_answer_idx")) };
                    Assert.That(pronouns, Is.EqualTo(row.Int("label") == 1 ? new[] { " he", " she" } : new[] { " she", " he" }), $"row {row.Row}");
                    break;
                case TaskKind.GreaterThan:
                    Assert.That(row.Text("clean"), Does.Contain(row.Int("correct_idx").ToString("00") + " to the year"), $"row {row.Row}");
                    break;
                case TaskKind.CapitalCountry:
                    Assert.That(" " + row.Text("country"), Does.StartWith(D(row.Int("country_idx"))), $"row {row.Row}");
                    Assert.That(" " + row.Text("corrupted_country"), Does.StartWith(D(row.Int("corrupted_country_idx"))), $"row {row.Row}");
                    break;
                case TaskKind.Hypernymy:
                    Assert.That(row.IntList("answers_idx").Select(id => D(id).Trim()), Is.EqualTo(row.StringList("answers")), $"row {row.Row}");
                    Assert.That(row.IntList("corrupted_answers_idx").Select(id => D(id).Trim()), Is.EqualTo(row.StringList("corrupted_answers")), $"row {row.Row}");
                    break;
            }
        }
    }
}
