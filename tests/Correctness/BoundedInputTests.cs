using System.Diagnostics;
using System.Text;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Generators;
using Concord.Tasks.Models;
using Concord.Tasks.Training;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.Correctness;

/// <summary>
/// Issue 31, item 3, at the library's level: every reader refuses every kind of special file up front, every
/// JSON reader refuses a file larger than its documented limit before reading it, a model's size is checked
/// against its header before it is hashed, and hashing, loading and a dataset's tokenisation stop on their token.
/// </summary>
[TestFixture, NonParallelizable]
public class BoundedInputTests
{
    /// <summary>Every library reader of a user's file, by name: each reads the file at the path it is given (or the folder around it).</summary>
    private static readonly Dictionary<string, (string FileName, Action<string> Read)> Readers = new()
    {
        ["config.json"] = ("config.json", path => Gpt2Config.Load(path)),
        ["model.safetensors"] = ("model.safetensors", path => SafetensorsFile.Open(path)),
        ["file hash"] = ("data.csv", path => FileHash.Sha256(path)),
        ["task CSV"] = ("ioi.csv", path => CsvTable.Read(path, ["clean"])),
        ["word list"] = ("names.txt", path => new WordLists(Path.GetDirectoryName(path)!).Lines(Path.GetFileName(path))),
        ["training record"] = (TaskModelTrainer.RecordFile, path => TrainingRecord.TryRead(Path.GetDirectoryName(path)!)),
        ["evaluation table"] = (EvaluationFile.FileName, path => EvaluationFile.TryRead(Path.GetDirectoryName(path)!)),
        ["shard manifest"] = (Concord.Studies.Storage.ShardManifest.FileName, path => Concord.Studies.Storage.ShardManifest.Find(Path.GetDirectoryName(path)!)),
        ["model weights (identity)"] = ("model.safetensors", path =>
        {
            File.Copy(Path.Combine(TestModels.TinyFolder, "config.json"), Path.Combine(Path.GetDirectoryName(path)!, "config.json"));
            ModelIdentity.Of(Path.GetDirectoryName(path)!);
        }),
        ["model config (identity)"] = ("config.json", path =>
        {
            File.Copy(Path.Combine(TestModels.TinyFolder, "model.safetensors"), Path.Combine(Path.GetDirectoryName(path)!, "model.safetensors"));
            ModelIdentity.Of(Path.GetDirectoryName(path)!);
        }),
    };

    private static IEnumerable<TestCaseData> ReadersTimesKinds() =>
        from reader in Readers.Keys from kind in Enum.GetValues<SpecialFiles.Kind>() select new TestCaseData(reader, kind);

    /// <summary>Every reader × every special kind: one InputFileException naming the file and its kind, at once (a FIFO hung open() before).</summary>
    [TestCaseSource(nameof(ReadersTimesKinds))]
    public void EveryReaderRefusesEverySpecialFileUpFront(string reader, SpecialFiles.Kind kind)
    {
        SpecialFiles.AssumeMakeable(kind);
        var (name, read) = Readers[reader];
        var path = SpecialFiles.Make(kind, Path.Combine(TempFolder.New("special"), name));
        var error = SpecialFiles.Within(5, $"{reader} on {kind}", () => Assert.Throws<InputFileException>(() => read(path)), path);
        Assert.That(error!.Message, Does.StartWith($"{path}: is "));
        Assert.That(SpecialFiles.Words(kind).Any(w => error.Message.Contains(w, StringComparison.Ordinal)), error.Message);
    }

    /// <summary>A unit file that is a special file is not a unit: listed as rejected (and recomputed), never read.</summary>
    [TestCaseSource(typeof(SpecialFiles), nameof(SpecialFiles.All))]
    public void AUnitFileThatIsSpecialIsRejectedNotRead(SpecialFiles.Kind kind)
    {
        SpecialFiles.AssumeMakeable(kind);
        var folder = TempFolder.New("units");
        var path = SpecialFiles.Make(kind, Path.Combine(folder, "unit-1.json"));
        var store = new FileUnitStore(folder);
        bool loaded = SpecialFiles.Within(5, $"unit file on {kind}", () => store.TryLoad("unit-1", out _), path);
        Assert.That(loaded, Is.False);
        Assert.That(store.Rejected.Single(), Does.StartWith("unit-1.json: is "));
    }

    /// <summary>The JSON readers and their documented limits.</summary>
    private static readonly (string Name, string FileName, long Limit, Action<string> Read)[] JsonReaders =
    [
        ("config.json", "config.json", InputFiles.ConfigJsonBytes, path => Gpt2Config.Load(path)),
        ("training record", TaskModelTrainer.RecordFile, InputFiles.RecordJsonBytes, path => TrainingRecord.TryRead(Path.GetDirectoryName(path)!)),
        ("evaluation table", EvaluationFile.FileName, InputFiles.RecordJsonBytes, path => EvaluationFile.TryRead(Path.GetDirectoryName(path)!)),
        ("shard manifest", Concord.Studies.Storage.ShardManifest.FileName, InputFiles.RecordJsonBytes, path => Concord.Studies.Storage.ShardManifest.Find(Path.GetDirectoryName(path)!)),
        ("task CSV", "ioi.csv", InputFiles.TaskCsvBytes, path => CsvTable.Read(path, ["clean"])),
        ("word list", "names.txt", InputFiles.WordListBytes, path => new WordLists(Path.GetDirectoryName(path)!).Lines(Path.GetFileName(path))),
    ];

    /// <summary>
    /// Every JSON (and text) reader × a generated size past its limit: refused before a byte is read (the message
    /// gives the whole size), with the file and the limit named. The files are sparse, so a size of gigabytes costs nothing on disk.
    /// </summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public Property EveryReaderRefusesAFileLargerThanItsLimit() => Prop.ForAll(
        Gen.Elements(Enumerable.Range(0, JsonReaders.Length).ToArray())
            .SelectMany(r => Gen.Choose(1, 1 << 30).Select(over => (Reader: r, Over: (long)over))).ToArbitrary(),
        ((int Reader, long Over) c) =>
        {
            var (name, fileName, limit, read) = JsonReaders[c.Reader];
            var path = Path.Combine(TempFolder.New("oversize"), fileName);
            using (var file = File.Create(path)) file.SetLength(limit + c.Over);
            var clock = Stopwatch.StartNew();
            var error = Assert.Throws<InputFileException>(() => read(path), name);
            File.Delete(path);
            // The message names the file's whole size, which only the check before the read knows (a read stops one byte past the limit).
            return (clock.Elapsed < PromptlyRefused
                    && error!.Message.StartsWith($"{path}: {InputFiles.Size(limit + c.Over)}, ", StringComparison.Ordinal)
                    && error.Message.Contains($"(at most {InputFiles.Size(limit)})", StringComparison.Ordinal))
                .Label($"{name}, {limit + c.Over} bytes: {error!.Message} in {clock.ElapsedMilliseconds} ms");
        });

    /// <summary>At its limit a file is read; one byte past it, refused: the limit is the documented number, not near it.</summary>
    [Test]
    public void AConfigOfExactlyTheLimitIsReadAndOneByteMoreIsNot()
    {
        var text = File.ReadAllText(Path.Combine(TestModels.TinyFolder, "config.json")).TrimEnd();
        var path = Path.Combine(TempFolder.New("limit"), "config.json");
        File.WriteAllText(path, text + new string(' ', (int)InputFiles.ConfigJsonBytes - Encoding.UTF8.GetByteCount(text)));
        Assert.That(Gpt2Config.Load(path), Is.EqualTo(TestModels.TinyConfig));
        File.AppendAllText(path, " ");
        Assert.That(Assert.Throws<InputFileException>(() => Gpt2Config.Load(path))!.Message,
            Is.EqualTo($"{path}: 65,537 bytes, larger than a config.json can be (at most 64 KiB)"));
    }

    /// <summary>A file that reports no size (/proc) or grows while read is cut at its limit, not read to its end.</summary>
    [Test]
    public void AFileThatReportsNoSizeIsStillReadOnlyToItsLimit()
    {
        Assume.That(File.Exists("/proc/self/status"), "no /proc here");
        Assert.That(new FileInfo("/proc/self/status").Length, Is.Zero, "procfs reports no size");
        Assert.That(Assert.Throws<InputFileException>(() => InputFiles.ReadText("/proc/self/status", 100, "a test file"))!.Message,
            Is.EqualTo("/proc/self/status: more than 100 bytes (it grew while read), larger than a test file can be (at most 100 bytes)"));
        Assert.That(InputFiles.ReadText("/proc/self/status", 1 << 20, "a test file"), Does.Contain("Pid:"));
    }

    // --- a model's size follows from its header, checked before hashing ---

    private static string N(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static string ModelCopy()
    {
        var folder = TempFolder.New("model");
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(TestModels.TinyFolder, f), Path.Combine(folder, f));
        return folder;
    }

    /// <summary>
    /// A liveness bound, not a speed target: far above the milliseconds a refusal takes (CI runs three test
    /// assemblies side by side on two cores), and for the padded 256 GB file far below the minutes hashing it would take.
    /// </summary>
    private static readonly TimeSpan PromptlyRefused = TimeSpan.FromSeconds(10);

    /// <summary>A weights file padded to 256 GB (sparse) past its last tensor is refused in milliseconds, not hashed for minutes.</summary>
    [Test]
    public void APaddedWeightsFileIsRefusedBeforeItIsHashed()
    {
        var folder = ModelCopy();
        var weights = Path.Combine(folder, "model.safetensors");
        long described = new FileInfo(weights).Length;
        using (var file = File.OpenWrite(weights)) file.SetLength(256L << 30);
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<ModelFileException>(() => ModelIdentity.Of(folder));
        Assert.That(clock.Elapsed, Is.LessThan(PromptlyRefused));
        Assert.That(error!.Message, Is.EqualTo($"{weights}: 274,877,906,944 bytes, but its header describes {N(described)}; the bytes after the last tensor are not a model's (a damaged or padded file)"));
    }

    /// <summary>A header that describes more data than a GPT-2 of the folder's config can hold is refused before its gigabytes are hashed.</summary>
    [Test]
    public void AHeaderLargerThanTheConfigAllowsIsRefusedBeforeItIsHashed()
    {
        var folder = ModelCopy();
        var weights = Path.Combine(folder, "model.safetensors");
        long max = ModelIdentity.MaxDataBytes(TestModels.TinyConfig), elements = max / 4 + 1;
        var header = Encoding.UTF8.GetBytes($"{{\"junk\":{{\"dtype\":\"F32\",\"shape\":[{elements}],\"data_offsets\":[0,{elements * 4}]}}}}");
        using (var file = File.Create(weights))
        {
            file.Write(BitConverter.GetBytes((ulong)header.Length));
            file.Write(header);
            file.SetLength(8 + header.Length + elements * 4);
        }
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<ModelFileException>(() => ModelIdentity.Of(folder));
        Assert.That(clock.Elapsed, Is.LessThan(PromptlyRefused));
        Assert.That(error!.Message, Does.StartWith($"{weights}: its tensors take {N(elements * 4)} bytes, more than a GPT-2 of its config.json can hold (at most {N(max)}"));
    }

    [Test]
    public void AModelsIdentityIsStillTheHashOfItsWholeFile() =>
        Assert.That(ModelIdentity.Of(TestModels.TinyFolder).WeightsSha256, Is.EqualTo(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(TestModels.TinyFolder, "model.safetensors"))))));

    // --- Ctrl-C reaches hashing, loading and tokenising ---

    /// <summary>Hashing a 64 GB (sparse) file stops within a second of its token's cancellation.</summary>
    [Test]
    public void HashingStopsWithinASecondOfCancellation()
    {
        var path = Path.Combine(TempFolder.New("hash"), "big.bin");
        using (var file = File.Create(path)) file.SetLength(64L << 30);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();
        Assert.Throws<OperationCanceledException>(() => FileHash.Sha256(path, cancel.Token));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1.2)), "stopped within a second of the signal at 0.2 s");
    }

    [Test]
    public void LoadingWeightsStopsOnItsToken()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Throws<OperationCanceledException>(() => HookedGpt2.Load(TestModels.TinyFolder, cancel: cancel.Token));
    }

    [Test]
    public void TokenisingADatasetStopsOnItsToken()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var resources = new TaskResources(tokenizer: Gpt2Tokenizer.Instance);
        Assert.Throws<OperationCanceledException>(() => TaskDataset.Load(TaskKind.Ioi, resources.DefaultFile(TaskKind.Ioi), resources, cancel: cancel.Token));
    }
}
