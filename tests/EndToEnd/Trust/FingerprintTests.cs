using System.CommandLine;
using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Studies;
using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Models;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.EndToEnd.Trust;

/// <summary>
/// A unit is reused only when everything that can change its numbers is equal. Every option of
/// `concord run` is listed here with what changing it must recompute; an option added to the
/// command without an entry fails <see cref="EveryRunOptionHasAnExpectation"/>.
/// </summary>
[TestFixture, NonParallelizable]
public class FingerprintTests
{
    // One batch of 2 prompts; 15 units: metrics, IG/AP/AtP × heads/mlp/neurons, sweep s = 0.5 × heads/mlp,
    // and the verification of heads, mlp and neurons (keyed by the sets they run, so new scores recompute them).
    private const int AllUnits = 15, IgUnits = 3, SweepUnits = 2, VerificationUnits = 3, EdgeUnits = 4 + 1;

    private enum Recompute { All, None, Some }

    /// <summary>Options to set (a null value for a flag; "" to remove the option) and what that must recompute.</summary>
    /// <param name="AtMost">With <paramref name="Exactly"/>: a range. Verification units are keyed by the sets they run, so new scores
    /// recompute one only where they change its sets (on these two prompts, often they do not).</param>
    private sealed record Change((string Option, string? Value)[] Set, Recompute Expect, int? Exactly = null, string Why = "", int? AtMost = null);

    private string _data = "", _model = "";

    [OneTimeSetUp]
    public void CopyInputs()
    {
        _data = Path.Combine(TempFolder.New(), "capital_country.csv");
        File.Copy(new TaskResources().DefaultFile(TaskKind.CapitalCountry), _data);
        _model = TempFolder.New();
        foreach (var file in Directory.GetFiles(TestModels.TinyFolder)) File.Copy(file, Path.Combine(_model, Path.GetFileName(file)));
    }

    private List<(string Option, string? Value)> Base(string output) =>
    [
        ("--task", "capital-country"), ("--model", _model), ("--data", _data), ("--examples", "2"), ("--batch-size", "2"), ("--steps", "2"),
        ("--neurons", "4"), ("--sweep", "0.5"), ("--out", output),
    ];

    private static string[] CommandLine(IEnumerable<(string Option, string? Value)> options) =>
        options.SelectMany(o => o.Value is null ? [o.Option] : new[] { o.Option, o.Value }).ToArray();

    private static readonly Dictionary<string, Change> Changes = new()
    {
        ["--task"] = new([("--task", "ioi"), ("--data", "")], Recompute.All, Why: "another task's folder"),
        ["--model"] = new([("--model", "{other-model}")], Recompute.All),
        ["--data"] = new([("--data", "{other-data}")], Recompute.All, Why: "other content"),
        ["--examples"] = new([("--examples", "3")], Recompute.Some, Why: "the sample's rows change"),
        ["--methods"] = new([("--methods", "ig,ap")], Recompute.Some, 1, "no attribution unit; the verification ranks one method fewer, which changes the sets of some kinds", AtMost: VerificationUnits),
        ["--components"] = new([("--components", "heads")], Recompute.None),
        ["--rule"] = new([("--rule", "trapezoid")], Recompute.Some, IgUnits + SweepUnits, "IG, and the verification where IG's rankings change", AtMost: IgUnits + SweepUnits + VerificationUnits),
        ["--steps"] = new([("--steps", "3")], Recompute.Some, IgUnits + SweepUnits, AtMost: IgUnits + SweepUnits + VerificationUnits),
        ["--ig-tolerance"] = new([("--steps", "auto"), ("--ig-tolerance", "0.01")], Recompute.Some, IgUnits + SweepUnits, "IG's step rule", AtMost: IgUnits + SweepUnits + VerificationUnits),
        ["--split-ig"] = new([("--steps", "auto"), ("--split-ig", "0.9")], Recompute.Some, IgUnits + SweepUnits + IgUnits,
            "IG's grid also meets τ at every split point, so IG and its sweep points recompute, and split IG's three units are new; the verification ranks one method more", AtMost: IgUnits + SweepUnits + IgUnits + VerificationUnits),
        ["--direction"] = new([("--direction", "denoising")], Recompute.All),
        ["--interactions"] = new([("--direction", "both"), ("--interactions", "3")], Recompute.Some, 10 + 3,
            "both directions: the denoising direction's 10 units (metrics, 3 methods × 3 kinds, no sweep) and one interaction unit per kind; every noising unit reused"),
        ["--baseline"] = new([("--baseline", "zero"), ("--sweep", "none")], Recompute.Some, IgUnits, "IG and where its rankings change; the sweep always scales the aligned baseline", AtMost: IgUnits + VerificationUnits),
        ["--sweep"] = new([("--sweep", "0.25")], Recompute.Some, SweepUnits),
        ["--neurons"] = new([("--neurons", "8")], Recompute.Some, 2, "AP over neurons and the neurons' verification (drawn from AP's sample)"),
        ["--per-position"] = new([("--per-position", null)], Recompute.All),
        ["--batch-size"] = new([("--batch-size", "1")], Recompute.All, Why: "other batches"),
        ["--memory-budget"] = new([("--memory-budget", "512")], Recompute.None, Why: "chunking only"),
        ["--top"] = new([("--top", "0.5")], Recompute.Some, 2, "a statistic computed from the units, and the disagreement categories' \"high\": ⌈0.5 × 8⌉ heads and neurons, but ⌈0.5 × 2⌉ = ⌈0.1 × 2⌉ MLP layers"),
        ["--logit-diff"] = new([("--logit-diff", null)], Recompute.All, Why: "the metric"),
        ["--device"] = new([], Recompute.All, Why: "one device here: see TheNumberTypeDeviceAndVersionArePartOfTheModelFingerprint"),
        ["--float64"] = new([("--float64", null)], Recompute.All),
        ["--seed"] = new([("--seed", "5")], Recompute.All, Why: "other rows"),
        ["--out"] = new([("--out", "{new-folder}")], Recompute.All, Why: "an empty store"),
        ["--fresh"] = new([("--fresh", null)], Recompute.All),
        ["--no-filter"] = new([("--no-filter", null)], Recompute.None, Why: "a random model is never filtered, so the rows stay"),
        ["--ioi-corruption"] = new([("--ioi-corruption", "third-name")], Recompute.All, Why: "task options are part of the data's fingerprint"),
        ["--drop-invalid"] = new([("--drop-invalid", null)], Recompute.All, Why: "task options are part of the data's fingerprint"),
        ["--shard"] = new([("--shard", "0/1")], Recompute.None, Why: "how the work is split, not what a unit is: one shard of one owns every unit"),
        ["--merge"] = new([("--merge", null)], Recompute.None, Why: "a merge computes no attribution and reads every unit"),
        ["--force"] = new([("--force", null)], Recompute.None, Why: "whether a user's files may be replaced, not what a unit is (kept out of run.json's options)"),
        ["--verify"] = new([("--verify", "none")], Recompute.None, Why: "no verification: the attribution units are reused"),
        ["--ablation"] = new([("--ablation", "mean")], Recompute.Some, VerificationUnits, "the verification units only"),
        ["--eap-ig-steps"] = new([("--components", "heads,mlp,neurons,edges"), ("--eap-ig-steps", "3")], Recompute.Some, EdgeUnits,
            "edges join: their pass's units are new (4 methods and the faithfulness circuits, one batch); every node unit is reused"),
        ["--edge-circuit"] = new([("--components", "heads,mlp,neurons,edges"), ("--edge-circuit", "10")], Recompute.Some, EdgeUnits,
            "edges join as above; the circuit size only chooses which circuit the files draw"),
    };

    [Test]
    public void EveryRunOptionHasAnExpectation()
    {
        var options = RunCommand.Create().Options.Select(o => o.Name).Where(n => n is not "--help" and not "-h" and not "--version").ToList();
        Assert.That(options, Is.SubsetOf(Changes.Keys), "options without an expectation in this test");
        Assert.That(Changes.Keys, Is.SubsetOf(options), "expectations for options the command no longer has");
    }

    [TestCaseSource(nameof(OptionNames))]
    public void ChangingAnOptionRecomputesExactlyWhatItAffects(string option)
    {
        var change = Changes[option];
        if (change.Set.Length == 0) Assert.Ignore(change.Why);
        var output = TempFolder.New();
        var first = Execute(CommandLine(Base(output)));
        Assert.That(first.Computed, Is.EqualTo(AllUnits), "a first run computes every unit");
        Assert.That(Execute(CommandLine(Base(output))).Computed, Is.Zero, "the same command reuses every unit");

        var arguments = Base(output);
        foreach (var (name, value) in change.Set)
        {
            arguments.RemoveAll(o => o.Option == name);
            if (value == "") continue;
            arguments.Add((name, value switch
            {
                "{other-model}" => OtherModel(),
                "{other-data}" => OtherData(),
                "{new-folder}" => TempFolder.New(),
                _ => value,
            }));
        }
        var changed = Execute(CommandLine(arguments));

        switch (change.Expect)
        {
            case Recompute.All: Assert.That(changed.Reused, Is.Zero, $"{option}: nothing may be reused ({change.Why})"); break;
            case Recompute.None: Assert.That(changed.Computed, Is.Zero, $"{option}: everything is reused ({change.Why})"); break;
            default:
                Assert.That(changed.Computed, change.Exactly is int n ? (change.AtMost is int most ? Is.InRange(n, most) : Is.EqualTo(n)) : Is.GreaterThan(0), $"{option}: {change.Why}");
                if (change.Exactly is not null) Assert.That(changed.Reused, Is.GreaterThan(0), $"{option}: the units it does not affect are reused");
                break;
        }
    }

    private static IEnumerable<string> OptionNames() => Changes.Keys;

    /// <summary>Same path, other bytes: rewriting the weights in place recomputes everything.</summary>
    [Test]
    public void TheModelIsKnownByItsContentNotItsFolder()
    {
        var folder = TempFolder.New();
        RandomGpt2.Save(folder, TestModels.TinyConfig, seed: 1, std: TestModels.TinyStd);
        var output = TempFolder.New();
        string[] Arguments() => ["--task", "capital-country", "--model", folder, "--examples", "2", "--batch-size", "2", "--steps", "2", "--sweep", "none", "--components", "mlp", "--out", output];
        Assert.That(Execute(Arguments()).Computed, Is.GreaterThan(0));
        Assert.That(Execute(Arguments()).Computed, Is.Zero);
        RandomGpt2.Save(folder, TestModels.TinyConfig, seed: 2, std: TestModels.TinyStd);
        Assert.That(Execute(Arguments()).Reused, Is.Zero, "new weights in the same folder");
    }

    /// <summary>Same path, other bytes: editing the dataset in place recomputes everything.</summary>
    [Test]
    public void TheDatasetIsKnownByItsContentNotItsPath()
    {
        var data = Path.Combine(TempFolder.New(), "capital_country.csv");
        File.Copy(_data, data);
        var output = TempFolder.New();
        string[] Arguments() => ["--task", "capital-country", "--model", _model, "--data", data, "--examples", "2", "--batch-size", "2", "--steps", "2", "--sweep", "none", "--components", "mlp", "--out", output];
        Assert.That(Execute(Arguments()).Computed, Is.GreaterThan(0));
        File.AppendAllText(data, File.ReadLines(data).Skip(1).First() + "\n");
        Assert.That(Execute(Arguments()).Reused, Is.Zero, "one more row in the same file");
    }

    [Test]
    public void TheNumberTypeDeviceAndVersionArePartOfTheModelFingerprint()
    {
        var identity = ModelIdentity.Of(TestModels.TinyFolder);
        var cpu = StudyFingerprints.Model(identity, ScalarType.Float32, "cpu");
        Assert.That(StudyFingerprints.Model(identity, ScalarType.Float32, "cpu"), Is.EqualTo(cpu), "deterministic");
        Assert.That(StudyFingerprints.Model(identity, ScalarType.Float32, "cuda:0"), Is.Not.EqualTo(cpu));
        Assert.That(StudyFingerprints.Model(identity, ScalarType.Float64, "cpu"), Is.Not.EqualTo(cpu));
        Assert.That(StudyFingerprints.Model(identity with { ConfigSha256 = "another config" }, ScalarType.Float32, "cpu"), Is.Not.EqualTo(cpu));
        var (version, commit) = ConcordVersion.Current;
        Assert.That(version, Is.Not.Empty, "Concord's version is known and hashed into every model fingerprint");
        TestContext.Out.WriteLine($"version {version}, commit {commit}");
    }

    /// <summary>SVA's verb list changes its metric: its content is part of the data's fingerprint.</summary>
    [Test]
    public void AuxiliaryListsArePartOfTheDataFingerprint()
    {
        var resources = new TaskResources();
        var dataset = TaskDataset.Load(TaskKind.Sva, resources.DefaultFile(TaskKind.Sva), resources);
        Assert.That(resources.AuxiliaryFiles(TaskKind.Sva), Is.EqualTo(new[] { resources.SvaVerbsFile }));
        var sample = new Concord.Tasks.Evaluation.FilteredSample(dataset.Examples.Take(1).ToList(), [], "");
        DatasetRecord Record(string verbsSha) => new(TaskKind.Sva, dataset, "data", [(resources.SvaVerbsFile, verbsSha)], 1, sample, false);
        Assert.That(StudyFingerprints.Data(Record("a"), TaskOptions.Default), Is.Not.EqualTo(StudyFingerprints.Data(Record("b"), TaskOptions.Default)));
    }

    private string OtherModel()
    {
        var folder = TempFolder.New();
        RandomGpt2.Save(folder, TestModels.TinyConfig, seed: TestModels.TinySeed + 1, std: TestModels.TinyStd);
        return folder;
    }

    private string OtherData()
    {
        var path = Path.Combine(TempFolder.New(), "capital_country.csv");
        File.WriteAllLines(path, File.ReadAllLines(_data).Append(File.ReadLines(_data).Skip(1).First()));
        return path;
    }

    private static (int Computed, int Reused) Execute(string[] arguments)
    {
        var parse = RunCommand.Create().Parse(arguments);
        Assert.That(parse.Errors, Is.Empty, string.Join("; ", parse.Errors.Select(e => e.Message)));
        var outcome = RunCommand.Execute(RunCommand.Parse(parse), CancellationToken.None, new Progress<PipelineProgress>());
        return (outcome.Units.Values.Sum(u => u.Computed), outcome.Units.Values.Sum(u => u.Reused));
    }
}
