using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Concord.Model.Store;
using NUnit.Framework;

namespace Concord.Tests.Correctness;

/// <summary>
/// Issue 31 (4): a hub that misbehaves in any way never puts a file in the cache. Every kind of file the
/// downloader knows (a GPT-2 config, a safetensors model, any other JSON) meets every kind of bad answer
/// (<see cref="HubFault"/>), with timeouts of 200 ms so that the stalls take a fraction of a second.
/// </summary>
public partial class DownloadTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(200);

    private static readonly string[] Kinds = ["config.json", "model.safetensors", "tokenizer.json"];

    /// <summary>Every fault, with words its one-line error must hold.</summary>
    private static readonly Dictionary<HubFault, string> BadAnswers = new()
    {
        [HubFault.Oversize] = "more than the",
        [HubFault.OversizeUnannounced] = "sent more than the",
        [HubFault.Endless] = "more than",
        [HubFault.Html] = "sent a web page (text/html)",
        [HubFault.HtmlUnlabelled] = "not a",
        [HubFault.Truncated] = "not ",
        [HubFault.WrongChecksum] = "checksum mismatch",
        [HubFault.StallMidBody] = "the idle timeout",
        [HubFault.StallBeforeAnswer] = "the idle timeout",
    };

    /// <summary>
    /// A downloader whose idle timeout is short only for a stall, the one fault that only a timeout can end.
    /// Every other fault is refused on what the server sent; a short timeout there made the tests flaky on a
    /// busy machine (CI runs the three test assemblies side by side on two cores: a loopback answer took over
    /// 200 ms and the "idle timeout" error came instead of the fault's own), so they wait as a user's download does.
    /// </summary>
    private HubDownloader DownloaderFor(HubFault fault) => new(_server.Endpoint)
    {
        RetryDelay = TimeSpan.FromMilliseconds(10), MaxAttempts = 2,
        IdleTimeout = fault is HubFault.StallMidBody or HubFault.StallBeforeAnswer ? Quick : HubDownloader.DefaultIdleTimeout,
    };

    private byte[] Served(string file) => file switch
    {
        "config.json" => _config,
        "model.safetensors" => _model,
        _ => _tokenizer,
    };

    private static IEnumerable<TestCaseData> KindsTimesBadAnswers() =>
        from kind in Kinds from fault in BadAnswers.Keys select new TestCaseData(kind, fault);

    [TestCaseSource(nameof(KindsTimesBadAnswers))]
    public void ABadAnswerIsRefusedInOneLineAndNeverBecomesTheFile(string file, HubFault fault)
    {
        _server.Misbehave(file, fault);
        var target = Path.Combine(TempFolder.New(), file);
        using var downloader = DownloaderFor(fault);
        var url = downloader.FileUrl(Repo, file);
        var watch = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(url, target));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "a bad answer is given up on promptly");
        Assert.That(error!.Message, Does.StartWith($"{url}: ").And.Contain(BadAnswers[fault]).And.Not.Contain("\n"));
        Assert.That(File.Exists(target), Is.False, "the file");
        // What the server sent is kept for a resume only when it may be the start of the right file (a stall); never when it was refused.
        if (fault != HubFault.StallMidBody) Assert.That(File.Exists(target + ".part"), Is.False, "the partial file");
        else Assert.That(new FileInfo(target + ".part").Length, Is.LessThanOrEqualTo(Served(file).Length));
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task AFileWhoseSizeNoOneAnnouncesDownloadsWhole(string file)
    {
        _server.Misbehave(file, HubFault.NoSizeAnnounced);
        var target = Path.Combine(TempFolder.New(), file);
        using var downloader = DownloaderFor(HubFault.NoSizeAnnounced);
        await downloader.DownloadAsync(downloader.FileUrl(Repo, file), target);
        Assert.That(File.ReadAllBytes(target), Is.EqualTo(Served(file)));
    }

    [Test]
    public void AnEndlessSafetensorsStreamStopsAtTheSizeItsHeaderGives()
    {
        _server.Misbehave("model.safetensors", HubFault.Endless);
        var target = Path.Combine(TempFolder.New(), "model.safetensors");
        using var downloader = DownloaderFor(HubFault.Endless);
        var error = Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(downloader.FileUrl(Repo, "model.safetensors"), target));
        Assert.That(error!.Message, Does.Contain($"sent more than the {_model.Length} bytes its safetensors header gives"));
    }

    [TestCase("config.json", HubFiles.ConfigCap)]
    [TestCase("tokenizer.json", HubFiles.TextCap)]
    public void AnEndlessStreamWithNoSizeStopsAtTheCapOfItsKind(string file, long cap)
    {
        _server.Misbehave(file, HubFault.Endless);
        var target = Path.Combine(TempFolder.New(), file);
        using var downloader = DownloaderFor(HubFault.Endless);
        var error = Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(downloader.FileUrl(Repo, file), target));
        Assert.That(error!.Message, Does.Contain($"sent more than {cap} bytes, the most a {file} may have when no size is announced"));
    }

    [Test]
    public void AConfigAnnouncedLargerThanAnyConfigIsNeverRequested()
    {
        _server.Serve(Repo, "config.json", Encoding.UTF8.GetBytes($"{{\"pad\":\"{new string('x', (int)HubFiles.ConfigCap)}\"}}"));
        using var downloader = DownloaderFor(HubFault.None);
        var error = Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(downloader.FileUrl(Repo, "config.json"), Path.Combine(TempFolder.New(), "config.json")));
        Assert.That(error!.Message, Does.Contain($"more than a config.json may have ({HubFiles.ConfigCap})"));
        Assert.That(_server.Gets, Is.Empty, "no GET for a file refused by its announced size");
    }

    [Test]
    public void AJsonConfigThatIsNoGpt2ConfigIsNotCached()
    {
        _server.Serve(Repo, "config.json", Encoding.UTF8.GetBytes("{\"model_type\": \"bert\", \"hidden_size\": 768}"));
        var target = Path.Combine(TempFolder.New(), "config.json");
        using var downloader = DownloaderFor(HubFault.None);
        var error = Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(downloader.FileUrl(Repo, "config.json"), target));
        Assert.That(error!.Message, Does.Contain("not a usable config.json (missing or non-integer 'n_layer')"));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(target)!), Is.Empty);
    }

    private static IEnumerable<TestCaseData> StoreFilesTimesBadAnswers() =>
        from file in ModelStore.Files from fault in BadAnswers.Keys select new TestCaseData(file, fault);

    /// <summary>
    /// The store's promise: after any bad answer the model's folder is as it was (here: absent), the model
    /// does not resolve, and once the hub is mended the next download gets exactly the hub's files —
    /// nothing of the bad answer was taken for a start to resume from.
    /// </summary>
    [TestCaseSource(nameof(StoreFilesTimesBadAnswers))]
    public async Task TheCacheHoldsOnlyCheckedFiles(string file, HubFault fault)
    {
        var store = new ModelStore(TempFolder.New());
        _server.Misbehave(file, fault);
        using (var downloader = DownloaderFor(fault))
            Assert.ThrowsAsync<DownloadException>(() => store.DownloadAsync("gpt2", downloader));
        Assert.That(Directory.Exists(store.FolderFor("gpt2")), Is.False, "the model's folder");
        Assert.That(store.TryResolveCached("gpt2", out _), Is.False);
        // Only a stall leaves something: its partial file, outside the model's folder, for the next run to resume.
        if (fault is not (HubFault.StallMidBody or HubFault.StallBeforeAnswer))
            Assert.That(Directory.GetFileSystemEntries(store.CacheRoot), Is.Empty, "a refused download leaves the cache as it was");

        _server.Misbehave(file, HubFault.None);
        using var mended = DownloaderFor(HubFault.None);
        var folder = await store.DownloadAsync("gpt2", mended);
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "config.json")), Is.EqualTo(_config));
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")), Is.EqualTo(_model));
        Assert.That(Directory.GetFileSystemEntries(folder).Select(Path.GetFileName), Is.EquivalentTo(ModelStore.Files));
        Assert.That(Directory.Exists(Path.Combine(store.CacheRoot, ModelStore.IncomingFolder)), Is.False, "the staging folder is gone once the model is in");
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task AResumeThatStartsElsewhereInTheFileIsStartedOver(string file)
    {
        _server.Misbehave(file, HubFault.ResumesElsewhere);
        _server.DropAfterBytes = Served(file).Length / 3;
        _server.DropsLeft = 1;
        var target = Path.Combine(TempFolder.New(), file);
        // Three attempts: the dropped one, the resume refused for starting elsewhere, the fresh start.
        using var downloader = new HubDownloader(_server.Endpoint) { RetryDelay = TimeSpan.FromMilliseconds(10), MaxAttempts = 3 };
        await downloader.DownloadAsync(downloader.FileUrl(Repo, file), target);
        Assert.That(File.ReadAllBytes(target), Is.EqualTo(Served(file)));
        Assert.That(_server.Gets.Select(g => g.Range), Is.EqualTo(new[] { "", $"bytes={Served(file).Length / 3}-", "" }));
    }

    /// <summary>A cache an older Concord poisoned (it kept whatever a server sent) is named, not trusted, and nothing is fetched around it.</summary>
    [TestCase("config.json")]
    [TestCase("model.safetensors")]
    public void AFileAlreadyInTheCacheThatIsNotTheFileIsNamedNotTrusted(string file)
    {
        var store = new ModelStore(TempFolder.New());
        var poisoned = Path.Combine(Directory.CreateDirectory(store.FolderFor("gpt2")).FullName, file);
        File.WriteAllBytes(poisoned, LocalHubServer.WebPage);
        using var downloader = DownloaderFor(HubFault.None);
        var error = Assert.ThrowsAsync<Concord.Model.ModelFileException>(() => store.DownloadAsync("gpt2", downloader));
        Assert.That(error!.Message, Does.StartWith($"{poisoned}: ").And.EndWith("it was in the cache before this download: delete it and run again"));
        Assert.That(_server.Gets, Is.Empty);
        Assert.That(File.ReadAllBytes(poisoned), Is.EqualTo(LocalHubServer.WebPage), "the user's file is theirs to delete");
    }

    [Test]
    public async Task CtrlCStopsADownloadWithinASecondAndTheModelFolderIsNotCreated()
    {
        _server.Misbehave("model.safetensors", HubFault.StallMidBody);
        var store = new ModelStore(TempFolder.New());
        using var cancel = new CancellationTokenSource();
        // The default idle timeout (30 s): only the cancellation can end this in time.
        using var downloader = Downloader();
        var download = store.DownloadAsync("gpt2", downloader, null, cancel.Token);
        var waited = Stopwatch.StartNew();
        while (_server.BodyBytesSent < _config.Length + _model.Length / 2 && waited.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(10);
        // Half the model is sent and the server stalls: the download now waits on a read that nothing will answer.
        await Task.Delay(300);
        Assert.That(download.IsCompleted, Is.False);

        var watch = Stopwatch.StartNew();
        await cancel.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => download);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(Directory.Exists(store.FolderFor("gpt2")), Is.False, "the model's folder");
        Assert.That(store.TryResolveCached("gpt2", out _), Is.False);
        Assert.That(new FileInfo(Path.Combine(store.IncomingFor("gpt2"), "model.safetensors.part")).Length, Is.EqualTo(_model.Length / 2));

        // The partial file is outside the model's folder, and the next run resumes it.
        _server.Misbehave("model.safetensors", HubFault.None);
        using var again = Downloader();
        var folder = await store.DownloadAsync("gpt2", again);
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")), Is.EqualTo(_model));
        Assert.That(_server.Gets.Last().Range, Is.EqualTo($"bytes={_model.Length / 2}-"));
    }

    [Test]
    public void AHubThatAcceptsNoConnectionIsGivenUpOnAfterTheConnectTimeout()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // A backlog of 0 holds one connection that is never accepted; once this one fills it, further SYNs go unanswered.
        listener.Listen(0);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        filler.Connect(IPAddress.Loopback, port);
        using var downloader = new HubDownloader(new Uri($"http://127.0.0.1:{port}/")) { ConnectTimeout = Quick, IdleTimeout = TimeSpan.FromSeconds(30) };
        var watch = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(downloader.FileUrl(Repo, "config.json"), Path.Combine(TempFolder.New(), "config.json")));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(error!.Message, Does.StartWith($"cannot reach 127.0.0.1:{port} (no connection within 200 ms, the connect timeout)"));
    }
}
