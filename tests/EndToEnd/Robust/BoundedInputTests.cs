using System.Diagnostics;
using System.Text;
using Concord.Cli;
using Concord.Model;
using Concord.Tests.EndToEnd.Robust.Generated;
using Concord.Tests.EndToEnd.Support;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// Issue 31, item 3, through the command line: every command that reads a file the user names refuses every
/// kind of special file in that place, and every JSON or CSV input larger than its documented limit, with the
/// error contract (exit 3, one line naming the file, nothing at --out) and at once; a Ctrl-C or SIGTERM while a
/// model is hashed stops the command within a second. Commands run in this process (<see cref="InProcessConcord"/>)
/// except the signal's, which needs its own.
/// </summary>
[TestFixture, NonParallelizable]
public class BoundedInputTests
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A copy of the tiny model whose <paramref name="file"/> (config.json or model.safetensors) the caller replaces.</summary>
    private static string ModelWithout(string folder, string file)
    {
        var model = Directory.CreateDirectory(Path.Combine(folder, "model")).FullName;
        foreach (var f in new[] { "config.json", "model.safetensors" }.Where(f => f != file)) File.Copy(Path.Combine(TestModels.TinyFolder, f), Path.Combine(model, f));
        return model;
    }

    private static string[] Quick(params string[] args) =>
        [.. args, "--examples", "2", "--steps", "2", "--sweep", "none", "--verify", "none", "--components", "heads"];

    /// <summary>
    /// Every input slot of every command: where the special (or oversized) file goes in <c>folder</c>, and the command
    /// line that reads it, with the --out it must leave uncreated.
    /// </summary>
    public sealed record Slot(string Name, Func<string, (string Input, string[] Args, string Out)> Make)
    {
        public override string ToString() => Name;
    }

    private static readonly string TinyModel = TestModels.TinyFolder;

    public static IReadOnlyList<Slot> Slots { get; } =
    [
        new("diff OLD", f => (Path.Combine(f, "old.json"), ["diff", Path.Combine(f, "old.json"), Json(f)], Path.Combine(f, "out"))),
        new("diff NEW", f => (Path.Combine(f, "new.csv"), ["diff", Csv(f, "old.csv"), Path.Combine(f, "new.csv")], Path.Combine(f, "out"))),
        new("datasets validate --file", f => (Path.Combine(f, "ioi.csv"), ["datasets", "validate", "--task", "ioi", "--file", Path.Combine(f, "ioi.csv")], Path.Combine(f, "out"))),
        new("datasets stats --file", f => (Path.Combine(f, "ioi.csv"), ["datasets", "stats", "--file", Path.Combine(f, "ioi.csv")], Path.Combine(f, "out"))),
        new("datasets validate --verbs", f => (Path.Combine(f, "verbs.csv"), ["datasets", "validate", "--task", "sva", "--verbs", Path.Combine(f, "verbs.csv")], Path.Combine(f, "out"))),
        new("datasets generate --words", f =>
        {
            var words = Directory.CreateDirectory(Path.Combine(f, "words")).FullName;
            foreach (var w in Directory.GetFiles(Path.Combine(Concord.Tasks.ProjectPaths.Datasets, "words")).Where(w => Path.GetFileName(w) != "names.txt"))
                File.Copy(w, Path.Combine(words, Path.GetFileName(w)));
            return (Path.Combine(words, "names.txt"), ["datasets", "generate", "--task", "ioi", "--words", words, "--out", Path.Combine(f, "out")], Path.Combine(f, "out"));
        }),
        new("datasets filter-hypernymy --file", f => (Path.Combine(f, "hypernymy.csv"),
            ["datasets", "filter-hypernymy", "--file", Path.Combine(f, "hypernymy.csv"), "--model", TinyModel, "--out", Path.Combine(f, "out.csv")], Path.Combine(f, "out.csv"))),
        new("model eval --data", f => (Path.Combine(f, "ioi.csv"), ["model", "eval", "--model", TinyModel, "--task", "ioi", "--data", Path.Combine(f, "ioi.csv")], Path.Combine(f, "out"))),
        new("run --data", f => (Path.Combine(f, "ioi.csv"), Quick("run", "--model", TinyModel, "--task", "ioi", "--data", Path.Combine(f, "ioi.csv"), "--out", Path.Combine(f, "out")), Path.Combine(f, "out"))),
        new("predict: config.json", f => (Path.Combine(ModelWithout(f, "config.json"), "config.json"), ["predict", "--model", Path.Combine(f, "model"), "--prompt", "hi"], Path.Combine(f, "out"))),
        new("predict: model.safetensors", f => (Path.Combine(ModelWithout(f, "model.safetensors"), "model.safetensors"), ["predict", "--model", Path.Combine(f, "model"), "--prompt", "hi"], Path.Combine(f, "out"))),
        new("model info: config.json", f => (Path.Combine(ModelWithout(f, "config.json"), "config.json"), ["model", "info", Path.Combine(f, "model")], Path.Combine(f, "out"))),
        new("model info: model.safetensors", f => (Path.Combine(ModelWithout(f, "model.safetensors"), "model.safetensors"), ["model", "info", Path.Combine(f, "model")], Path.Combine(f, "out"))),
        new("run: config.json", f => (Path.Combine(ModelWithout(f, "config.json"), "config.json"), Quick("run", "--model", Path.Combine(f, "model"), "--task", "ioi", "--out", Path.Combine(f, "out")), Path.Combine(f, "out"))),
        new("run: model.safetensors", f => (Path.Combine(ModelWithout(f, "model.safetensors"), "model.safetensors"), Quick("run", "--model", Path.Combine(f, "model"), "--task", "ioi", "--out", Path.Combine(f, "out")), Path.Combine(f, "out"))),
    ];

    private static string Json(string folder)
    {
        var path = Path.Combine(folder, "other.json");
        File.WriteAllText(path, "{\"a\": 1}\n");
        return path;
    }

    private static string Csv(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        var header = Concord.Methods.Results.ScoreCsv.Header;
        File.WriteAllText(path, string.Join(',', header) + "\n" + string.Join(',', header.Select(_ => "0")) + "\n");
        return path;
    }

    private static IEnumerable<TestCaseData> SlotsTimesKinds() =>
        from slot in Slots from kind in Enum.GetValues<SpecialFiles.Kind>() select new TestCaseData(slot, kind);

    /// <summary>Every input slot × every special file kind: exit 3 in one line naming the file, nothing written, never a hang.</summary>
    [TestCaseSource(nameof(SlotsTimesKinds))]
    public void EveryCommandRefusesEverySpecialFileAsInput(Slot slot, SpecialFiles.Kind kind)
    {
        SpecialFiles.AssumeMakeable(kind);
        var folder = TempFolder.New("special");
        var (input, args, output) = slot.Make(folder);
        SpecialFiles.Make(kind, input);
        var clock = Stopwatch.StartNew();
        var result = SpecialFiles.Within(CaseTimeout.TotalSeconds, $"{slot.Name} on {kind}", () => InProcessConcord.Run(args, folder, CaseTimeout), input);
        Assert.That(result.Code, Is.EqualTo(CliRunner.InputError), $"{ErrorContract.Shown(args)}: {result.Error}");
        Assert.That(ErrorContract.Violation(result, 0, [input], [output]), Is.Null, $"{ErrorContract.Shown(args)}: {result.Error}");
        Assert.That(SpecialFiles.Words(kind).Any(w => result.Error.Contains(w, StringComparison.Ordinal)), result.Error);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    /// <summary>The slots that read JSON or CSV with a documented limit, and that limit.</summary>
    private static readonly (Slot Slot, long Limit)[] Limited =
    [
        (Slots[0], InputFiles.DiffJsonBytes),
        (Slots[1], InputFiles.DiffCsvBytes),
        (Slots[2], InputFiles.TaskCsvBytes),
        (Slots[4], InputFiles.TaskCsvBytes),
        (Slots[5], InputFiles.WordListBytes),
        (Slots[7], InputFiles.TaskCsvBytes),
        (Slots[8], InputFiles.TaskCsvBytes),
        (Slots[9], InputFiles.ConfigJsonBytes),
        (Slots[11], InputFiles.ConfigJsonBytes),
        (Slots[13], InputFiles.ConfigJsonBytes),
        (new("model info: training.json", f =>
        {
            var model = ModelWithout(f, "");
            return (Path.Combine(model, Concord.Tasks.Training.TaskModelTrainer.RecordFile), ["model", "info", model], Path.Combine(f, "out"));
        }), InputFiles.RecordJsonBytes),
    ];

    /// <summary>
    /// Every limited input × a generated size past its limit (sparse files: gigabytes cost nothing): exit 3 in one
    /// line naming the file and the limit, in well under a second of reading, nothing written. FsCheck draws the
    /// cases from a fixed seed (<see cref="MalformedValues.Seeded"/>); a failure prints it and the command line.
    /// </summary>
    [Test]
    public void EveryLimitedInputRefusesAFileLargerThanItsLimit()
    {
        var (config, seed) = MalformedValues.Seeded(nameof(EveryLimitedInputRefusesAFileLargerThanItsLimit), 30);
        var cases = Gen.Elements(Enumerable.Range(0, Limited.Length).ToArray()).SelectMany(i => Gen.Choose(1, int.MaxValue).Select(over => (Index: i, Over: (long)over)));
        Check.One(config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (slot, limit) = Limited[c.Index];
            var folder = TempFolder.New("oversize");
            var (input, args, output) = slot.Make(folder);
            using (var file = File.Create(input)) file.SetLength(limit + c.Over);
            var result = InProcessConcord.Run(args, folder, CaseTimeout);
            File.Delete(input);
            var violation = result.Code != CliRunner.InputError ? $"exit {result.Code}, expected 3"
                : ErrorContract.Violation(result, 0, [input], [output])
                  ?? (result.Error.Contains($"(at most {InputFiles.Size(limit)})", StringComparison.Ordinal) ? null : "the limit is not named");
            if (violation is not null)
                throw new AssertionException($"{violation}: {slot.Name}, {limit + c.Over} bytes, seed {seed}\n  {ErrorContract.Shown(args)}\n  {result.Error.Trim()}");
            return true;
        }));
    }

    /// <summary>The same command line with the file at its limit is not refused for its size (the limit is the documented number).</summary>
    [Test]
    public void AConfigAtItsLimitIsRead()
    {
        var folder = TempFolder.New("limit");
        var model = ModelWithout(folder, "config.json");
        var text = File.ReadAllText(Path.Combine(TinyModel, "config.json")).TrimEnd();
        File.WriteAllText(Path.Combine(model, "config.json"), text + new string(' ', (int)InputFiles.ConfigJsonBytes - Encoding.UTF8.GetByteCount(text)));
        var result = InProcessConcord.Run(["model", "info", model], folder, CaseTimeout);
        Assert.That(result.Code, Is.Zero, result.Error);
    }

    /// <summary>A weights file padded to 256 GB (sparse) is refused by `run` in one line before it is hashed (minutes before).</summary>
    [Test]
    public void APaddedModelIsRefusedBeforeItIsHashed()
    {
        var folder = TempFolder.New("padded");
        var model = ModelWithout(folder, "");
        var weights = Path.Combine(model, "model.safetensors");
        using (var file = File.OpenWrite(weights)) file.SetLength(256L << 30);
        var output = Path.Combine(folder, "out");
        var clock = Stopwatch.StartNew();
        var result = InProcessConcord.Run(Quick("run", "--model", model, "--task", "ioi", "--out", output), folder, CaseTimeout);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(result.Code, Is.EqualTo(CliRunner.InputError), result.Error);
        Assert.That(result.Error.Trim(), Does.StartWith($"error: {weights}: 274,877,906,944 bytes, but its header describes"));
        Assert.That(Directory.Exists(output), Is.False);
    }

    /// <summary>
    /// A valid model header over 32 GB of (sparse) weights keeps `run` hashing for many seconds: SIGTERM (and Ctrl-C, the
    /// same token) stops it within a second, exit 130, with nothing at --out. It took until the hash ended before (93 s once).
    /// </summary>
    [TestCase("-TERM")]
    [TestCase("-INT")]
    public void ASignalStopsHashingWithinASecond(string signal)
    {
        Assume.That(OperatingSystem.IsLinux(), "the hash is watched through /proc");
        var folder = TempFolder.New("hashing");
        var model = Directory.CreateDirectory(Path.Combine(folder, "model")).FullName;
        // A config whose GPT-2 can hold 32 GB of weights (8 layers of d_model 8192), so the size check lets the hash start.
        new Gpt2Config(NLayer: 8, NHead: 16, NEmbd: 8192, NPositions: 1024, VocabSize: Gpt2Tokenizer.VocabularySize).Save(Path.Combine(model, "config.json"));
        var weights = Path.Combine(model, "model.safetensors");
        const long elements = 8L << 30;
        var header = Encoding.UTF8.GetBytes($"{{\"wte.weight\":{{\"dtype\":\"F32\",\"shape\":[{elements}],\"data_offsets\":[0,{elements * 4}]}}}}");
        using (var file = File.Create(weights))
        {
            file.Write(BitConverter.GetBytes((ulong)header.Length));
            file.Write(header);
            file.SetLength(8 + header.Length + elements * 4);
        }
        var output = Path.Combine(folder, "out");
        using var child = ChildProcess.Start(ConcordProcess.StartInfo(Quick("run", "--model", model, "--task", "ioi", "--out", output)));
        // Hashing: the weights stay open for seconds (the header check opens them only for a moment).
        var wait = Stopwatch.StartNew();
        while (!IsOpen(child.Id, weights) && wait.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
        Assume.That(IsOpen(child.Id, weights), "the hash did not start within a minute (a loaded machine)");
        Thread.Sleep(300);
        var clock = Stopwatch.StartNew();
        child.Signal(signal);
        var (code, _, error) = child.Finish(TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"{signal}: exited {clock.Elapsed.TotalMilliseconds:F0} ms after the signal");
        Assert.That(code, Is.EqualTo(130), error);
        Assert.That(error, Does.Contain("interrupted; finished work is kept"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1.5)), "stopped within a second (plus the process's own exit)");
        Assert.That(Directory.Exists(output), Is.False);
    }

    private static bool IsOpen(int pid, string path)
    {
        try { return Directory.GetFiles($"/proc/{pid}/fd").Any(fd => File.ResolveLinkTarget(fd, false)?.FullName == path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
