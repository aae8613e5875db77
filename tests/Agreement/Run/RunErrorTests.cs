using Concord.Model;
using Concord.Tests.Agreement.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Agreement.Run;

/// <summary>Bad input to `concord run`: one clear line on stderr, a non-zero exit code, no stack trace (the real program, in its own process).</summary>
[TestFixture]
public class RunErrorTests
{
    private static (int Code, string Out, string Error) Concord(params string[] args) => ConcordProcess.Run(args);

    private static void AssertOneLineError(string[] args, int code, string fragment) => ConcordProcess.AssertOneLineError(args, code, fragment);

    private static string[] Run(params string[] extra) =>
        ["run", "--model", TestModels.TinyFolder, "--examples", "2", "--steps", "4", "--sweep", "none", "--out", TestModels.NewTempFolder(), .. extra];

    [Test]
    public void MissingModel() => AssertOneLineError(["run", "--model", "/nonexistent/model"], 3, "'/nonexistent/model' is neither a model folder nor a known model");

    [Test]
    public void MissingDataFile() => AssertOneLineError(Run("--task", "ioi", "--data", "/nonexistent/ioi.csv"), 3, "/nonexistent/ioi.csv: file not found");

    [Test]
    public void UnknownTask() => AssertOneLineError(Run("--task", "sentiment"), 2, "unknown task 'sentiment'");

    [Test]
    public void WrongColumns()
    {
        var path = Path.Combine(TestModels.NewTempFolder(), "ioi.csv");
        File.WriteAllText(path, "prompt,answer\nhello,1\n");
        AssertOneLineError(Run("--task", "ioi", "--data", path), 3, "missing columns 'clean', 'corrupted'");
    }

    [Test]
    public void UnequalTokenLengths()
    {
        var path = Path.Combine(TestModels.NewTempFolder(), "gender_bias.csv");
        File.WriteAllText(path, "clean,corrupted,clean_answer_idx,corrupted_answer_idx,label\nThe nurse said that,The chief executive officer said that,673,339,0\n");
        AssertOneLineError(Run("--task", "gender-bias", "--data", path), 3, "row 1: clean prompt has 5 tokens, corrupted has 7");
    }

    [Test]
    public void MemoryBudgetTooSmall()
    {
        var wide = TestModels.NewTempFolder();
        RandomGpt2.Save(wide, new Gpt2Config(2, 8, 256, 64, Gpt2Tokenizer.VocabularySize), seed: 1);
        AssertOneLineError(["run", "--model", wide, "--task", "ioi", "--examples", "2", "--memory-budget", "1", "--out", TestModels.NewTempFolder()], 2,
            "--memory-budget 1 MiB is below the");
    }

    [Test]
    public void NaNInAMetric()
    {
        var broken = TestModels.NewTempFolder();
        using (var weights = Gpt2Weights.Load(Path.Combine(TestModels.TinyFolder, "model.safetensors"), Gpt2Config.Load(Path.Combine(TestModels.TinyFolder, "config.json"))))
        {
            weights.LnFinalWeight.fill_(double.NaN);
            weights.Save(Path.Combine(broken, "model.safetensors"));
            weights.Config.Save(Path.Combine(broken, "config.json"));
        }
        AssertOneLineError(["run", "--model", broken, "--task", "ioi", "--examples", "2", "--sweep", "none", "--out", TestModels.NewTempFolder()], 3,
            "the ioi metric is NaN");
    }

    [Test]
    public void VerboseShowsTheStackTrace()
    {
        var (exit, _, error) = Concord(["run", "--model", "/nonexistent/model", "--verbose"]);
        Assert.That(exit, Is.EqualTo(3));
        Assert.That(error, Does.Contain("   at "));
    }
}
