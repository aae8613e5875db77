using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using System.Text.Json.Nodes;
using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Models;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Trust;

/// <summary>Every output says where it came from: run.json, agreement.json's copy of it, the report's link and wording.</summary>
[TestFixture, NonParallelizable]
public class ProvenanceTests
{
    /// <summary>A small run; <paramref name="extra"/> adds options or replaces the defaults' values.</summary>
    private static string Run(params string[] extra)
    {
        var output = TempFolder.New();
        string[] defaults = ["--task", "capital-country", "--model", TestModels.TinyFolder, "--examples", "2", "--batch-size", "2", "--steps", "2",
            "--neurons", "4", "--sweep", "0.5", "--out", output];
        var arguments = CommandLines.With(defaults, extra);
        var parse = RunCommand.Create().Parse(arguments);
        Assert.That(parse.Errors, Is.Empty);
        RunCommand.Execute(RunCommand.Parse(parse), CancellationToken.None, new Progress<PipelineProgress>());
        return output;
    }

    private static JsonNode Json(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>Fields of a CSV line whose quoted fields may hold commas.</summary>
    private static string[] Cells(string line) => System.Text.RegularExpressions.Regex.Split(line, ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");

    [Test]
    public void RunJsonNamesVersionModelDataOptionsMachineAndTime()
    {
        var output = Run();
        var run = Json(Path.Combine(output, RunRecord.FileName));
        Assert.That((string?)run["concord"]!["version"], Is.Not.Empty);
        var model = run["model"]!;
        Assert.That((string?)model["weights_sha256"], Is.EqualTo(FileHash.Sha256(Path.Combine(TestModels.TinyFolder, "model.safetensors"))));
        Assert.That((string?)model["kind"], Is.EqualTo("random"));
        Assert.That((int?)model["layers"], Is.EqualTo(TestModels.TinyConfig.NLayer));
        var data = run["datasets"]![0]!;
        var file = new TaskResources().DefaultFile(TaskKind.CapitalCountry);
        Assert.That((string?)data["sha256"], Is.EqualTo(FileHash.Sha256(file)));
        Assert.That(data["rows_used"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(data["behaviour_filter"], Is.Null, "a random model is not filtered");
        var options = run["options"]!.AsObject();
        // --shard and --merge say how the work was split, so a merged run records what a one-process run does.
        foreach (var option in RunCommand.Create().Options.Select(o => o.Name).Where(n => n.StartsWith("--") && n is not "--help" and not "--version"))
            Assert.That(options.ContainsKey(option), Is.EqualTo(!RunCommand.ExecutionOnly.Contains(option)), $"run.json records {option} unless it only splits the work");
        Assert.That((string?)options["--steps"], Is.EqualTo("2"));
        Assert.That((string?)options["--float64"], Is.EqualTo("false"));
        var machine = run["machine"]!;
        foreach (var key in new[] { "os", "cpu", "logical_cores", "torch_threads", "device", "dtype", "libtorch" })
            Assert.That(machine[key], Is.Not.Null, key);
        Assert.That(DateTimeOffset.Parse((string)run["finished"]!), Is.GreaterThanOrEqualTo(DateTimeOffset.Parse((string)run["started"]!)));

        var agreement = Json(Path.Combine(output, "capital-country", "agreement.json"));
        Assert.That((string?)agreement["run"]!["model"]!["weights_sha256"], Is.EqualTo((string?)model["weights_sha256"]), "agreement.json embeds the provenance");
        Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain($"]({RunRecord.FileName})"));
    }

    /// <summary>The default model comes from the model cache only; a folder named gpt2 is GPT-2 small only if its bytes are.</summary>
    [Test]
    public void AFolderCalledGpt2IsNotGpt2SmallUnlessItsWeightsAre()
    {
        var cache = TempFolder.New();
        var fake = Path.Combine(cache, "gpt2");
        Concord.Model.RandomGpt2.Save(fake, TestModels.TinyConfig, seed: 3);
        var resolved = ModelResolver.Resolve(null, new ModelStore(cache));
        Assert.That(resolved.Kind, Is.Not.EqualTo(ModelKind.Gpt2));
        Assert.That(resolved.Description, Does.Not.Contain("GPT-2 small ("));
        Assert.That(resolved.Identity.IsGpt2Small, Is.False);

        var plain = Path.Combine(cache, "plain");
        Directory.CreateDirectory(plain);
        File.Copy(Path.Combine(fake, "config.json"), Path.Combine(plain, "config.json"));
        File.Copy(Path.Combine(fake, "model.safetensors"), Path.Combine(plain, "model.safetensors"));
        File.AppendAllText(Path.Combine(plain, "concord-note.txt"), "not a random model's metadata, same bytes");
        var other = ModelResolver.Describe(plain, plain);
        Assert.That(other.Description, Does.Contain(Path.GetFullPath(plain)), "named by its folder");
    }

    /// <summary>A gpt2 folder in the working directory is not picked up by default (only --model gpt2 or a path uses it).</summary>
    [Test]
    public void TheWorkingDirectorysGpt2FolderIsNeverTheDefault()
    {
        var cwd = TempFolder.New();
        Concord.Model.RandomGpt2.Save(Path.Combine(cwd, "gpt2"), TestModels.TinyConfig, seed: 4);
        var start = ConcordProcess.StartInfo("run", "--task", "capital-country", "--examples", "1", "--methods", "ap", "--components", "mlp", "--sweep", "none",
            "--out", TempFolder.New());
        start.WorkingDirectory = cwd;
        start.Environment[ModelStore.CacheVariable] = TempFolder.New();
        start.Environment["CONCORD_HOME"] = ProjectPaths.Root;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(3)), Is.True);
        Assert.That(process.ExitCode, Is.Zero, error);
        Assert.That(output.Split('\n')[0], Does.StartWith("model: concord-tasks-small"));
    }

    [Test]
    public void TheReportSaysWhatZeroBaselineAndDenoisingMean()
    {
        var zero = File.ReadAllText(Path.Combine(Run("--baseline", "zero", "--sweep", "none"), "report.md"));
        Assert.That(zero, Does.Contain("F(a') − F(0)").And.Contain("Zero baseline").And.Contain("along 0 → a'"));
        Assert.That(zero, Does.Not.Contain("equal by construction"), "from zero, IG of a whole MLP is not AP");
        var denoising = File.ReadAllText(Path.Combine(Run("--direction", "denoising"), "report.md"));
        Assert.That(denoising, Does.Contain("This run is **denoising**").And.Contain("F(clean) − F(corrupted)"));
        var noising = File.ReadAllText(Path.Combine(Run(), "report.md"));
        Assert.That(noising, Does.Contain("This run is **noising**").And.Contain("F(corrupted) − F(clean)"));
        Assert.That(noising, Does.Contain("equal by construction").And.Contain("--per-position"), "whole-MLP IG↔AP is marked, not presented as evidence");
        Assert.That(noising, Does.Match(@"\| L\d+H\d+ \|"), "components as L3H7");
    }

    [Test]
    public void WholeMlpAgreementIsFlaggedInAgreementJson()
    {
        var agreement = Json(Path.Combine(Run(), "capital-country", "agreement.json"));
        foreach (var pair in agreement["agreement"]!.AsArray())
            Assert.That((bool)pair!["equal_by_construction"]!, Is.EqualTo((string?)pair["kind"] == "mlp" && (string?)pair["pair"] == "IG↔AP"), $"{pair["kind"]} {pair["pair"]}");
    }

    /// <summary>A prompt whose corruption changes nothing would divide by zero in the normalised view: it is left out and counted.</summary>
    [Test]
    public void NormalisedPooledStatisticsLeaveOutPromptsWithoutAnEffect()
    {
        var data = Path.Combine(TempFolder.New(), "capital_country.csv");
        var lines = File.ReadAllLines(new TaskResources().DefaultFile(TaskKind.CapitalCountry)).Take(4).ToList();
        var header = Cells(lines[0]);
        var cells = Cells(lines[1]);
        // Row 1's corrupted prompt made equal to its clean one: F(a') − F(a) = 0 exactly.
        cells[Array.IndexOf(header, "corrupted")] = cells[Array.IndexOf(header, "clean")];
        lines[1] = string.Join(',', cells);
        File.WriteAllLines(data, lines);
        var output = Run("--data", data, "--examples", "3", "--batch-size", "3");
        var view = Json(Path.Combine(output, "capital-country", "agreement.json"))["normalised_view"]!;
        Assert.That((int)view["excluded_prompts"]!, Is.EqualTo(1));
        Assert.That((int)view["prompts"]!, Is.EqualTo(3));
        Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain("leaves out 1 of 3 prompts"));
    }

    /// <summary>On a trained model, prompts it fails on are dropped by default and recorded; a model that solves all gives the unfiltered sample.</summary>
    [Test]
    public void TheBehaviourFilterKeepsPromptsTheModelSolvesAndSaysWhichItDropped()
    {
        using var model = Concord.Model.HookedGpt2.Load(TestModels.TaskModelFolder);
        var resources = new TaskResources();
        var dataset = TaskDataset.Load(TaskKind.CapitalCountry, resources.DefaultFile(TaskKind.CapitalCountry), resources);
        var all = BehaviourFilter.Sample(model, dataset, resources.Tokenizer, 8, seed: 0);
        Assert.That(all.Kept.Select(e => e.Row), Is.EqualTo(dataset.Sample(8, 0).Select(e => e.Row)), "the model solves these: the filter changes nothing");
        Assert.That(all.Dropped, Is.Empty);

        // The same rows with the answers swapped: the model now "fails" every one.
        var swapped = Path.Combine(TempFolder.New(), "capital_country.csv");
        var lines = File.ReadAllLines(resources.DefaultFile(TaskKind.CapitalCountry)).ToList();
        var header = Cells(lines[0]);
        int clean = Array.IndexOf(header, "country_idx"), corrupted = Array.IndexOf(header, "corrupted_country_idx");
        Assume.That(clean >= 0 && corrupted >= 0, "capital_country.csv has answer id columns");
        var output = new List<string> { lines[0] };
        foreach (var (line, i) in lines.Skip(1).Select((l, i) => (l, i)))
        {
            var cells = Cells(line);
            if (i % 2 == 0) (cells[clean], cells[corrupted]) = (cells[corrupted], cells[clean]);
            output.Add(string.Join(',', cells));
        }
        File.WriteAllLines(swapped, output);
        var mixed = TaskDataset.Load(TaskKind.CapitalCountry, swapped, resources);
        var filtered = BehaviourFilter.Sample(model, mixed, resources.Tokenizer, 8, seed: 0);
        Assert.That(filtered.Kept, Has.Count.EqualTo(8), "enough prompts are left to fill the sample");
        Assert.That(filtered.Dropped, Is.Not.Empty);
        Assert.That(filtered.Dropped.Select(d => d.CleanMetric), Has.All.LessThanOrEqualTo(0));
        var (keptMetrics, _) = TaskEvaluation.PromptMetrics(model, filtered.Kept, mixed.Readout, resources.Tokenizer);
        Assert.That(keptMetrics, Has.All.GreaterThan(0));
    }
}
