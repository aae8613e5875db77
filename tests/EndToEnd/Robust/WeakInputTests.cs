using System.Diagnostics;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// The weak cases a new user found: each is one clear line in the user's terms (the option, stdout,
/// the CSV row and column) with the README's exit code, or, where accepting is right, a visible note.
/// </summary>
[TestFixture]
public class WeakInputTests
{
    private const string GenderHeader = "clean,corrupted,clean_answer_idx,corrupted_answer_idx,label\n";
    private const string GenderRow = "The nurse said that,The woman said that,673,339,0\n";

    private static string[] Run(params string[] changes) => CommandLines.With(
        ["run", "--model", TestModels.TinyFolder, "--examples", "2", "--steps", "4", "--sweep", "none", "--verify", "none", "--components", "heads",
         "--out", Path.Combine(TempFolder.New(), "results")], changes);

    private static string Csv(string name, string text)
    {
        var path = Path.Combine(TempFolder.New(), name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The project's first hypernymy row, with <paramref name="change"/> applied to its fields.</summary>
    private static string Hypernymy(Action<string[]> change)
    {
        var lines = File.ReadLines(Path.Combine(global::Concord.Tasks.ProjectPaths.Datasets, "hypernymy.csv")).Take(2).ToArray();
        var fields = SplitCsv(lines[1]);
        change(fields);
        return Csv("hypernymy.csv", lines[0] + "\n" + string.Join(",", fields.Select(f => f.Contains(',') || f.Contains('"') ? $"\"{f.Replace("\"", "\"\"")}\"" : f)) + "\n");
    }

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields.ToArray();
    }

    // --- CSV rows ---

    [Test]
    public void ARowWithMoreFieldsThanTheHeaderIsNamed() =>
        ConcordProcess.AssertOneLineError(Run("--task", "gender-bias", "--data", Csv("gender_bias.csv", GenderHeader + GenderRow + "The nurse said that,The woman said that,673,339,0,extra\n")), 3,
            "row 2 has 6 fields, the header 5");

    [Test]
    public void AnIoiRowWhoseTwoAnswersAreOneTokenIsNamed() =>
        ConcordProcess.AssertOneLineError(Run("--task", "ioi", "--data", Csv("ioi.csv", ",clean,corrupted,corrupted_hard,correct_idx,incorrect_idx\n" +
            "0,When Mary and John went to the store John gave a drink to,When Mary and John went to the store Paul gave a drink to,When Mary and John went to the store Mary gave a drink to,5335,5335\n")), 3,
            "row 1, column 'incorrect_idx': is the same token as correct_idx (5335)");

    [Test]
    public void AHypernymyRowWhoseCorruptedAnswersAreItsAnswersIsNamed() =>
        ConcordProcess.AssertOneLineError(Run("--task", "hypernymy", "--data", Hypernymy(f => { f[8] = f[3]; f[9] = f[4]; })), 3,
            "column 'corrupted_answers_idx': holds the same tokens as answers_idx");

    [Test]
    public void AHypernymyIdThatIsNotItsAnswersTokenIsNamed() =>
        ConcordProcess.AssertOneLineError(Run("--task", "hypernymy", "--data", Hypernymy(f => f[4] = f[4].Replace("23685", "11758"))), 3,
            "column 'answers_idx': entry 1 is token 11758, but 'gems' in answers is token 23685");

    [Test]
    public void FewerRowsThanExamplesIsANoteOnTheConsole()
    {
        var (code, output, error) = ConcordProcess.Run(Run("--task", "gender-bias", "--examples", "100", "--data", Csv("gender_bias.csv", GenderHeader + GenderRow + GenderRow + GenderRow)));
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("note: gender-bias: 3 prompts, fewer than --examples 100 (the data has 3 usable rows)"));
    }

    // --- config.json ---

    [TestCase("{\n  // the tiny model\n  \"n_layer\": 2\n}\n", "line 2, column 3 (a comment; JSON has none)")]
    [TestCase("{\n  \"n_layer\": 2,\n}\n", "line 3, column 1 (a trailing comma before the closing bracket; JSON allows none)")]
    public void AConfigThatIsNotJsonSaysWhereAndWhy(string config, string fragment)
    {
        var model = TempFolder.New();
        File.Copy(Path.Combine(TestModels.TinyFolder, "model.safetensors"), Path.Combine(model, "model.safetensors"));
        File.WriteAllText(Path.Combine(model, "config.json"), config);
        ConcordProcess.AssertOneLineError(Run("--model", model, "--task", "ioi"), 3, $"config.json: not valid JSON at {fragment}");
    }

    // --- options ---

    [TestCase("cuda:-1")]
    [TestCase("cuda:")]
    [TestCase("cuda:x")]
    public void AMalformedDeviceIsATypoNotAMissingGpu(string device) =>
        ConcordProcess.AssertOneLineError(Run("--task", "ioi", "--device", device), 2, $"--device '{device}' is not a device: expected cpu, cuda or cuda:N");

    // --- model train ---

    [Test]
    public void TrainingOverAnotherModelIsRefused()
    {
        var folder = TempFolder.New();
        foreach (var file in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(TestModels.TinyFolder, file), Path.Combine(folder, file));
        var before = File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));
        ConcordProcess.AssertOneLineError(["model", "train", "--preset", "tiny", "--steps", "1", "--out", folder], 2,
            $"{Path.Combine(folder, "config.json")} exists and this command did not write it; choose another --out, or add --force to replace it");
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")), Is.EqualTo(before));
    }

    [Test]
    public void ResumingWithoutACheckpointIsRefused() =>
        ConcordProcess.AssertOneLineError(["model", "train", "--preset", "tiny", "--steps", "1", "--resume", "--out", TempFolder.New()], 2,
            "--resume found no training checkpoint");

    [Test]
    public void TrainingSaysTheStepsItWillTake()
    {
        var (code, output, error) = ConcordProcess.Run(["model", "train", "--preset", "tiny", "--steps", "2", "--float32", "--eval-examples", "2", "--out", TempFolder.New()]);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("; 2 steps of "));
    }

    // --- where output cannot go ---

    [Test]
    public void AFullStdoutIsSaidOfStdout()
    {
        if (!File.Exists("/dev/full")) Assert.Ignore("no /dev/full on this system");
        var start = new ProcessStartInfo("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >/dev/full");
        start.ArgumentList.Add("sh");
        foreach (var a in ConcordProcess.StartInfo(Run("--task", "ioi")).ArgumentList.Prepend("env")) start.ArgumentList.Add(a);
        var (code, _, error) = ChildProcess.Run(start, TimeSpan.FromMinutes(2));
        Assert.That(code, Is.EqualTo(1), error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), error);
        Assert.That(lines[0], Is.EqualTo("error: cannot write to stdout (the disk is full); send it elsewhere"));
    }

    /// <summary>A small tmpfs at a new folder (root in a privileged container only), unmounted by the returned handle.</summary>
    private static IDisposable Mount(string folder, string options)
    {
        var (code, _, error) = ChildProcess.Run(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", options, "tmpfs", folder]), TimeSpan.FromSeconds(30));
        if (code != 0) Assert.Ignore($"cannot mount a small tmpfs to fill or make read-only here ({error.Trim()}); needs root in a privileged container");
        return new Unmount(folder);
    }

    private sealed class Unmount(string folder) : IDisposable
    {
        public void Dispose() => ChildProcess.Run(new ProcessStartInfo("umount", [folder]), TimeSpan.FromSeconds(30));
    }

    [TestCase("size=200k", "the disk is full")]
    [TestCase("ro,size=200k", "the file system is read-only")]
    public void AFullOrReadOnlyDiskIsSaidOfOut(string options, string reason)
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("tmpfs is Linux's");
        var folder = TempFolder.New();
        using var mounted = Mount(folder, options);
        var output = Path.Combine(folder, "results");
        var (code, _, error) = ConcordProcess.Run(Run("--task", "ioi", "--examples", "8", "--components", "heads,mlp,neurons", "--out", output));
        Assert.That(code, Is.EqualTo(1), error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), error);
        Assert.That(lines[0], Is.EqualTo($"error: --out {output}: cannot write there ({reason})"));
    }

    // --- a broken model ---

    [Test]
    public void ANaNMlpWeightNamesItsLayer()
    {
        var broken = TempFolder.New();
        using (var weights = Concord.Model.Gpt2Weights.Load(Path.Combine(TestModels.TinyFolder, "model.safetensors"), Concord.Model.Gpt2Config.Load(Path.Combine(TestModels.TinyFolder, "config.json"))))
        {
            weights.Blocks[1].WOut.fill_(double.NaN);
            weights.Save(Path.Combine(broken, "model.safetensors"));
            weights.Config.Save(Path.Combine(broken, "config.json"));
        }
        // Heads only: no MLP hook is cached for the attribution, yet the line names the MLP of layer 1.
        ConcordProcess.AssertOneLineError(Run("--model", broken, "--task", "ioi"), 3, "the ioi metric is NaN (the model's activations at blocks.1.");
    }
}
