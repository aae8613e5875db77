using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Models;
using Concord.Tasks.Training;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Model;

/// <summary>
/// Every bundled task model held to what its card claims: its eval.json is what `model eval`
/// computes from the stored weights now, and it meets the project's targets.
/// </summary>
[TestFixture("concord-tasks-small")]
[TestFixture("concord-tasks-dropout")]
public class BundledModelCardTests(string name)
{
    private static readonly TaskResources Resources = new();
    private readonly string _folder = ModelResolver.BundledFolderOf(name);
    private HookedGpt2 _model = null!;

    [OneTimeSetUp]
    public void Load() => _model = HookedGpt2.Load(_folder);

    [OneTimeTearDown]
    public void Release() => _model.Dispose();

    /// <summary>
    /// The card's table, recomputed. float32 on another x64 CPU can move a metric in its 6th digit,
    /// which flips a prompt only if it sits at 0 to that precision: shares may differ by one prompt
    /// in a thousand, means by 1e-4.
    /// </summary>
    [Test]
    public void TheCommittedEvaluationIsWhatTheStoredWeightsGive()
    {
        var committed = EvaluationFile.TryRead(_folder);
        Assert.That(committed, Is.Not.Null.And.Count.EqualTo(6));
        foreach (var expected in committed!)
        {
            var actual = DefaultEvaluation.Evaluate(_model, expected.Kind, Resources, TaskOptions.Default, expected.Prompts, seed: 0);
            Assert.That(actual.Source, Is.EqualTo(expected.Source));
            Assert.That(actual.Prompts, Is.EqualTo(expected.Prompts));
            Assert.That(actual.CleanPositive, Is.EqualTo(expected.CleanPositive).Within(1.0 / expected.Prompts + 1e-9), expected.Kind.Id());
            Assert.That(actual.CorruptionLowers, Is.EqualTo(expected.CorruptionLowers).Within(1.0 / expected.Prompts + 1e-9), expected.Kind.Id());
            Assert.That(actual.MeanClean, Is.EqualTo(expected.MeanClean).Within(1e-4), expected.Kind.Id());
            Assert.That(actual.MeanCorrupted, Is.EqualTo(expected.MeanCorrupted).Within(1e-4), expected.Kind.Id());
        }
    }

    [Test]
    public void TheBundledModelMeetsEveryTarget()
    {
        foreach (var score in EvaluationFile.TryRead(_folder)!)
            Assert.That(score.CleanPositive, Is.GreaterThanOrEqualTo(ModelCard.Targets[score.Kind]), $"{score.Kind.Id()} on {score.Source}");
    }

}
