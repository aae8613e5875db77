using Concord.Tasks.Models;
using Concord.Cli.Run;
using Concord.Model.Store;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>Without --model and without GPT-2 small in the cache, `concord run` uses the bundled task model and says what it is.</summary>
[TestFixture]
public class ModelResolverTests
{
    [Test]
    public void WithoutGpt2TheBundledTaskModelIsTheDefault()
    {
        var model = ModelResolver.Resolve(null, new ModelStore(TempFolder.New()));
        Assert.That(model.Kind, Is.EqualTo(ModelKind.Trained));
        Assert.That(model.Folder, Is.EqualTo(TestModels.TaskModelFolder));
        Assert.That(model.Description, Does.StartWith("concord-tasks-small: a 4-layer GPT-2").And.Contain("not GPT-2"));
        Assert.That(model.Evaluation, Has.Count.EqualTo(6), "its eval table travels with it");
    }

    [Test]
    public void TheBundledNameResolvesAnywhere() =>
        Assert.That(ModelResolver.Resolve("concord-tasks-small", new ModelStore(TempFolder.New())).Folder, Is.EqualTo(TestModels.TaskModelFolder));

    [Test]
    public void ARandomModelIsStillNamedAsOne() =>
        Assert.That(ModelResolver.Resolve(TestModels.TinyFolder, new ModelStore()).Kind, Is.EqualTo(ModelKind.Random));

    [Test]
    public void TheReportSaysWhichModelItDescribesAndHowWellItDoesTheTasks()
    {
        var output = TempFolder.New();
        var (code, stdout, error) = ConcordProcess.Run(TimeSpan.FromMinutes(3), new Dictionary<string, string> { [ModelStore.CacheVariable] = TempFolder.New() },
            "run", "--task", "capital-country", "--examples", "2", "--steps", "4", "--sweep", "none", "--components", "heads", "--methods", "ig,ap", "--out", output);
        Assert.That(code, Is.Zero, error);
        Assert.That(stdout, Does.Contain("model: concord-tasks-small: a 4-layer GPT-2"));
        var report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.That(report, Does.Contain("A small model trained by Concord to perform the six tasks, not GPT-2"));
        Assert.That(report, Does.Contain("| task | evaluated on | prompts | clean metric > 0 |"));
        Assert.That(report, Does.Not.Contain("This is a random model"));
    }
}
