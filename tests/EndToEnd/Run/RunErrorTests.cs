using Concord.Model;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.EndToEnd.Run;

/// <summary>Bad input to `concord run`: one clear line on stderr, a non-zero exit code, no stack trace (the real program, in its own process).</summary>
[TestFixture]
public class RunErrorTests
{
    private static (int Code, string Out, string Error) Concord(params string[] args) => ConcordProcess.Run(args);

    private static void AssertOneLineError(string[] args, int code, string fragment) => ConcordProcess.AssertOneLineError(args, code, fragment);

    private static string[] Run(params string[] changes) => CommandLines.With(
        ["run", "--model", TestModels.TinyFolder, "--examples", "2", "--steps", "4", "--sweep", "none", "--out", TempFolder.New()], changes);

    [Test]
    public void MissingModel() => AssertOneLineError(["run", "--model", "/nonexistent/model"], 3, "'/nonexistent/model' is neither a model folder nor a known model");

    [Test]
    public void MissingDataFile() => AssertOneLineError(Run("--task", "ioi", "--data", "/nonexistent/ioi.csv"), 3, "/nonexistent/ioi.csv: file not found");

    [Test]
    public void UnknownTask() => AssertOneLineError(Run("--task", "sentiment"), 2, "--task: unknown task 'sentiment'");

    [Test]
    public void WrongColumns()
    {
        var path = Path.Combine(TempFolder.New(), "ioi.csv");
        File.WriteAllText(path, "prompt,answer\nhello,1\n");
        AssertOneLineError(Run("--task", "ioi", "--data", path), 3, "missing columns 'clean', 'corrupted'");
    }

    [Test]
    public void UnequalTokenLengths()
    {
        var path = Path.Combine(TempFolder.New(), "gender_bias.csv");
        File.WriteAllText(path, "clean,corrupted,clean_answer_idx,corrupted_answer_idx,label\nThe nurse said that,The chief executive officer said that,673,339,0\n");
        AssertOneLineError(Run("--task", "gender-bias", "--data", path), 3, "row 1: clean prompt has 5 tokens, corrupted has 7");
    }

    [Test]
    public void MemoryBudgetTooSmall()
    {
        var wide = TempFolder.New();
        RandomGpt2.Save(wide, new Gpt2Config(2, 8, 256, 64, Gpt2Tokenizer.VocabularySize), seed: 1);
        AssertOneLineError(["run", "--model", wide, "--task", "ioi", "--examples", "2", "--memory-budget", "1", "--out", TempFolder.New()], 2,
            "--memory-budget 1 MiB is below the");
    }

    [Test]
    public void NaNInAMetric()
    {
        var broken = TempFolder.New();
        using (var weights = Gpt2Weights.Load(Path.Combine(TestModels.TinyFolder, "model.safetensors"), Gpt2Config.Load(Path.Combine(TestModels.TinyFolder, "config.json"))))
        {
            weights.LnFinalWeight.fill_(double.NaN);
            weights.Save(Path.Combine(broken, "model.safetensors"));
            weights.Config.Save(Path.Combine(broken, "config.json"));
        }
        AssertOneLineError(["run", "--model", broken, "--task", "ioi", "--examples", "2", "--sweep", "none", "--out", TempFolder.New()], 3,
            "the ioi metric is NaN");
    }

    [Test]
    public void VerboseShowsTheStackTrace()
    {
        var (exit, _, error) = Concord(["run", "--model", "/nonexistent/model", "--verbose"]);
        Assert.That(exit, Is.EqualTo(3));
        Assert.That(error, Does.Contain("   at "));
    }

    // --- bad input as a new user tries it: one line in the user's terms, the README's exit code, nothing written ---

    /// <summary>Like <see cref="AssertOneLineError"/>, and --out was never created: inputs are validated first.</summary>
    private static void AssertRefusedBeforeWriting(string[] extra, int code, string fragment)
    {
        var output = Path.Combine(TempFolder.New(), "never-created");
        AssertOneLineError(Run([.. extra, "--out", output]), code, fragment);
        Assert.That(Directory.Exists(output), Is.False, "nothing is created before the inputs are validated");
    }

    [Test]
    public void AMergeIntoAFolderThatDoesNotExistIsRefusedAndCreatesNothing() =>
        AssertRefusedBeforeWriting(["--merge"], 2, "does not exist, so there is nothing to merge");

    [TestCase("--steps", "x", "--steps 'x': expects a whole number (digits 0-9 with an optional sign, such as 8), or auto")]
    [TestCase("--examples", "x", "--examples 'x': expects a whole number")]
    [TestCase("--top", "half", "--top 'half': expects a number")]
    [TestCase("--examples", "", "--examples")]
    public void ParserErrorsExit2InTheUsersTerms(string option, string value, string fragment)
    {
        var (code, _, error) = Concord(value == "" ? ["run", option] : ["run", option, value]);
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.StartWith("error: ").And.Contain(fragment).And.Not.Contain("System."));
    }

    [TestCase("--steps", "2000000000", "--steps must lie between 1 and 4096")]
    [TestCase("--steps", "0", "--steps must lie between 1 and 4096")]
    [TestCase("--neurons", "-1", "--neurons must be 0 (all) or a positive count")]
    [TestCase("--neurons", "100000", "--neurons 100000 is more than the model's 128 neurons per layer")]
    [TestCase("--methods", "", "--methods: '' names no method (ig, ap, atp, ig-split; edges: ap, ig, eap, eap-ig)")]
    [TestCase("--methods", ",,", "--methods: ',,' names no method (ig, ap, atp, ig-split; edges: ap, ig, eap, eap-ig)")]
    [TestCase("--components", "", "--components: '' names no component kind (heads, neurons, mlp, head-outputs, edges)")]
    [TestCase("--components", " , ", "--components: ' , ' names no component kind")]
    [TestCase("--task", ",,", "--task: ',,' names no task (known: ioi, gender-bias, greater-than, capital-country, sva, hypernymy, all)")]
    [TestCase("--task", " ", "--task: ' ' names no task (known: ioi,")]
    [TestCase("--sweep", ",", "--sweep lists no scale")]
    [TestCase("--sweep", "0", "--sweep scale '0' is not a number in (0, 1]")]
    [TestCase("--top", "NaN", "--top 'NaN': expects a finite number, not NaN")]
    [TestCase("--top", "0,1", "--top '0,1': a comma is not a decimal point here; write 0.1")]
    [TestCase("--top", "1.5", "--top must lie in (0, 1]")]
    [TestCase("--verify", "faithfulness,bogus", "--verify: unknown verification 'bogus' (faithfulness, disagreements, isolated, or none alone)")]
    [TestCase("--verify", "none,faithfulness", "--verify: 'none,faithfulness': none stands alone")]
    [TestCase("--ablation", "median", "--ablation: unknown ablation 'median' (resample, mean, zero)")]
    public void OutOfRangeOptionsAreRefusedBeforeAnythingIsWritten(string option, string value, string fragment) =>
        AssertRefusedBeforeWriting([option, value], 2, fragment);

    [TestCase("0", "--ig-tolerance must lie in (0, 1)")]
    [TestCase("NaN", "--ig-tolerance 'NaN': expects a finite number, not NaN")]
    [TestCase("1", "--ig-tolerance must lie in (0, 1)")]
    [TestCase("-1e-3", "--ig-tolerance must lie in (0, 1)")]
    public void AutoStepsNeedAPositiveTolerance(string tolerance, string fragment) =>
        AssertRefusedBeforeWriting(["--steps", "auto", "--ig-tolerance", tolerance], 2, fragment);

    /// <summary>A τ below the metric's own round-off would be met only by the allowance: refused before any work, naming the smallest reachable τ.</summary>
    [TestCase("float32", "1e-5", "--ig-tolerance 1E-05 is below what float32 can reach", "the smallest reachable τ is 0.0005 (1E-13 with float64)")]
    [TestCase("float64", "1e-30", "--ig-tolerance 1E-30 is below what float64 can reach", "the smallest reachable τ is 1E-13")]
    public void AToleranceBelowTheNumberTypesReachIsRefusedUpFront(string type, string tolerance, string fragment, string smallest)
    {
        string[] extra = type == "float64" ? ["--float64", "--steps", "auto", "--ig-tolerance", tolerance] : ["--steps", "auto", "--ig-tolerance", tolerance];
        AssertRefusedBeforeWriting(extra, 2, fragment);
        var (_, _, error) = Concord(Run([.. extra, "--out", Path.Combine(TempFolder.New(), "never-created")]));
        Assert.That(error, Does.Contain(smallest));
    }

    [Test]
    public void AToleranceWithoutAutoStepsIsRefused() =>
        AssertRefusedBeforeWriting(["--steps", "50", "--ig-tolerance", "0.01"], 2, "--ig-tolerance applies to --steps auto only");

    [Test]
    public void AutoStepsRunAndRecordTheNodesEachLayerUsed()
    {
        var output = TempFolder.New();
        var (code, _, error) = Concord(Run("--task", "capital-country", "--steps", "auto", "--components", "heads,mlp", "--out", output));
        Assert.That(code, Is.Zero, error);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "capital-country", "agreement.json")));
        foreach (var layer in doc.RootElement.GetProperty("ig_completeness").EnumerateArray())
            Assert.That(layer.GetProperty("steps_max").GetInt32(), Is.GreaterThanOrEqualTo(4).And.LessThanOrEqualTo(4096));
        Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain("steps auto").And.Contain("nodes |"));
    }

    [Test]
    public void AnOutputPathThatIsAFileIsOneError()
    {
        var file = Path.Combine(TempFolder.New(), "results");
        File.WriteAllText(file, "not a folder");
        AssertOneLineError(Run("--out", file), 2, "is a file, not a folder");
    }

    [Test]
    public void ABinaryFileGivenAsCsvIsNamedWithoutEchoingItsBytes()
    {
        var path = Path.Combine(TempFolder.New(), "ioi.csv");
        File.WriteAllBytes(path, [(byte)'a', 0, (byte)'b', 0, 1, 2, (byte)',', (byte)'c', 10]);
        AssertRefusedBeforeWriting(["--task", "ioi", "--data", path], 3, "not a text CSV file");
        var (_, _, error) = Concord(Run("--task", "ioi", "--data", path));
        Assert.That(error.IndexOf('\0'), Is.EqualTo(-1), "no NUL byte reaches the terminal");
    }

    [Test]
    public void APromptLongerThanTheContextIsNamedAndCanBeDropped()
    {
        var path = Path.Combine(TempFolder.New(), "gender_bias.csv");
        var longPrompt = string.Join(" ", Enumerable.Repeat("The nurse said that", 20));   // 80 tokens: beyond the tiny model's 64
        File.WriteAllText(path, "clean,corrupted,clean_answer_idx,corrupted_answer_idx,label\n" +
            "The nurse said that,The woman said that,673,339,0\n" + $"{longPrompt},{longPrompt.Replace("nurse", "woman")},673,339,0\n");
        AssertRefusedBeforeWriting(["--task", "gender-bias", "--data", path], 3, "row 2: the prompt has 81 tokens, more than the model's context of 64");
        var (code, _, error) = Concord(Run("--task", "gender-bias", "--data", path, "--drop-invalid", "--methods", "ap", "--components", "mlp"));
        Assert.That(code, Is.Zero, error);
        var (validate, output, validateError) = Concord(["datasets", "validate", "--task", "gender-bias", "--file", path, "--model", TestModels.TinyFolder]);
        Assert.That(validate, Is.EqualTo(3), output);
        Assert.That(validateError, Does.Contain("more than the model's context of 64"));
    }

    [Test]
    public void CreateRandomRefusesANonPositiveStd()
    {
        var output = Path.Combine(TempFolder.New(), "model");
        AssertOneLineError(["model", "create-random", "--out", output, "--std", "-1"], 2, "--std must be a positive number");
        Assert.That(Directory.Exists(output), Is.False);
    }

    [Test]
    public void GeneratingIoiWithFewerThanThreeNamesFailsAtOnce()
    {
        var words = TempFolder.New();
        foreach (var file in Directory.GetFiles(Path.Combine(global::Concord.Tasks.ProjectPaths.Datasets, "words"))) File.Copy(file, Path.Combine(words, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(words, "names.txt"), "Mary\nJohn\n");
        var output = Path.Combine(TempFolder.New(), "generated");
        AssertOneLineError(["datasets", "generate", "--task", "ioi", "--words", words, "--out", output], 3, "IOI needs at least 3");
        Assert.That(Directory.Exists(output), Is.False);
    }

    [Test]
    public void DiffOfAFileThatIsNeitherCsvNorJsonIsOneError()
    {
        var binary = Path.Combine(TempFolder.New(), "model.bin");
        File.WriteAllBytes(binary, [0x80, 0, 1, 2]);
        AssertOneLineError(["diff", binary, binary], 3, "neither a scores CSV (*.csv) nor JSON");
    }
}
