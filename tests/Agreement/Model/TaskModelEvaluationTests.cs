using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Training;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Model;

/// <summary>
/// The bundled task model on the study's own files: on rows whose every token it was trained on it
/// does as well as on the project's rows (each bundled model's card is held by <see cref="BundledModelCardTests"/>).
/// </summary>
[TestFixture]
public class TaskModelEvaluationTests
{
    private static readonly TaskResources Resources = new();
    private HookedGpt2 _model = null!;

    [OneTimeSetUp]
    public void Load() => _model = HookedGpt2.Load(TestModels.TaskModelFolder);

    [OneTimeTearDown]
    public void Release() => _model.Dispose();

    private TaskScore Evaluate(TaskKind kind, string source, IReadOnlyList<TaskExample> examples) =>
        TaskEvaluation.Evaluate(_model, kind, source, examples, TaskDescriptor.Of(kind).Define(Resources).NaturalReadout, Resources.Tokenizer);

    /// <summary>
    /// The study's files use words the model never saw (other names, nouns, capitals); on the rows
    /// whose every token it was trained on, it must meet the same targets as on the project's rows.
    /// </summary>
    [TestCase(TaskKind.Ioi)]
    [TestCase(TaskKind.GenderBias)]
    [TestCase(TaskKind.GreaterThan)]
    [TestCase(TaskKind.CapitalCountry)]
    [TestCase(TaskKind.Sva)]
    [TestCase(TaskKind.Hypernymy)]
    public void OnTheStudysOwnRowsWithTrainedWordsItDoesAsWell(TaskKind kind)
    {
        var file = SharedFiles.Require(Path.Combine("reference-datasets", kind.FileName()));
        var trained = TrainingRecord.TryRead(TestModels.TaskModelFolder)!.TrainedTokens.ToHashSet();
        var rows = TaskDataset.Load(kind, file, Resources, new TaskOptions { DropInvalid = true }).Examples;
        // At most 1,000 of them (seeded): SVA's file alone has 7,558 such rows, and 1,000 resolve a
        // share to within a point.
        var known = TaskEvaluation.TrainedTokensOnly(rows, trained, Resources.Tokenizer);
        int usable = known.Count;
        known = TaskDataset.Sample(known, 1000, seed: 0);
        Assume.That(known, Has.Count.GreaterThanOrEqualTo(5), $"only {usable} of {rows.Count} rows use trained tokens alone: too few to measure");
        var score = Evaluate(kind, file, known);
        TestContext.Out.WriteLine($"{kind.Id()}: {usable} of {rows.Count} rows use trained tokens alone, {known.Count} evaluated; clean > 0 {score.CleanPositive:P1}, corruption lowers {score.CorruptionLowers:P1}");
        Assert.That(score.CleanPositive, Is.GreaterThanOrEqualTo(ModelCard.Targets[kind]), $"{known.Count} rows of {file}");
    }

    /// <summary>
    /// The study's hypernymy filter on the task model: it solves every hypernymy fact (mean
    /// probability difference 0.99), so the 0.1 threshold keeps every row and fills prob_diff; a
    /// threshold above 1, which no probability difference reaches, keeps none.
    /// </summary>
    [Test]
    public void TheHypernymyFilterKeepsWhatTheModelSolvesAndRecordsTheDifference()
    {
        var output = Path.Combine(TempFolder.New(), "hypernymy.csv");
        var (kept, total) = HypernymyFilter.Apply(_model, Resources.DefaultFile(TaskKind.Hypernymy), output, Resources);
        Assert.That(kept, Is.EqualTo(total));
        var filtered = CsvTable.Read(output, ["prob_diff"]);
        Assert.That(filtered.Select(r => double.Parse(r.Text("prob_diff"), System.Globalization.CultureInfo.InvariantCulture)),
            Has.All.InRange(HypernymyFilter.StudyThreshold, 1.0));
        Assert.That(HypernymyFilter.Apply(_model, Resources.DefaultFile(TaskKind.Hypernymy), output, Resources, threshold: 1.5).Kept, Is.Zero);
    }
}
