using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Concord.Model;
using Concord.Model.Store;
using NUnit.Framework;

namespace Concord.Tests.Correctness;

/// <summary>The model store's download, end to end against a local hub on 127.0.0.1.</summary>
[TestFixture]
public partial class DownloadTests
{
    private const string Repo = "openai-community/gpt2";
    private LocalHubServer _server = null!;
    private byte[] _model = null!;
    private byte[] _config = null!;
    private byte[] _tokenizer = null!;

    [SetUp]
    public void StartServer()
    {
        var folder = TempFolder.New();
        RandomGpt2.Save(folder, TestEnvironment.Tiny(), seed: 2);
        _model = File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));
        _config = File.ReadAllBytes(Path.Combine(folder, "config.json"));
        _server = new LocalHubServer();
        _server.Serve(Repo, "model.safetensors", _model);
        _server.Serve(Repo, "config.json", _config);
        // A tokenizer-shaped JSON file: the kind of file checked only for being JSON, under the text cap.
        var vocab = new JsonObject(Enumerable.Range(0, 500).Select(i => KeyValuePair.Create($"w{i}", (JsonNode?)i)));
        _tokenizer = Encoding.UTF8.GetBytes(new JsonObject { ["version"] = "1.0", ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab } }.ToJsonString());
        _server.Serve(Repo, "tokenizer.json", _tokenizer);
    }

    [TearDown]
    public void StopServer() => _server.Dispose();

    private HubDownloader Downloader() => new(_server.Endpoint) { RetryDelay = TimeSpan.FromMilliseconds(10) };

    [Test]
    public async Task StoreDownloadsAModelThatThenLoads()
    {
        var store = new ModelStore(TempFolder.New());
        var reports = new List<DownloadProgress>();
        using var downloader = Downloader();
        var folder = await store.DownloadAsync("gpt2", downloader, new SyncProgress<DownloadProgress>(reports.Add));
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")), Is.EqualTo(_model));
        Assert.That(Directory.GetFiles(folder, "*.part"), Is.Empty);
        Assert.That(reports.Last(r => r.File == "model.safetensors").Received, Is.EqualTo(_model.Length));
        Assert.That(store.Resolve("gpt2"), Is.EqualTo(folder));
        using var model = HookedGpt2.Load(folder);
        Assert.That(model.Config, Is.EqualTo(TestEnvironment.Tiny()));
    }

    [Test]
    public async Task DroppedConnectionIsResumedWithARange()
    {
        _server.DropAfterBytes = _model.Length / 3;
        _server.DropsLeft = 1;
        var target = Path.Combine(TempFolder.New(), "model.safetensors");
        using var downloader = Downloader();
        await downloader.DownloadAsync(downloader.FileUrl(Repo, "model.safetensors"), target);
        Assert.That(File.ReadAllBytes(target), Is.EqualTo(_model));
        Assert.That(_server.Gets.Select(g => g.Range), Is.EqualTo(new[] { "", $"bytes={_model.Length / 3}-" }));
    }

    [Test]
    public async Task APartialFileFromAnEarlierRunIsResumed()
    {
        var target = Path.Combine(TempFolder.New(), "model.safetensors");
        File.WriteAllBytes(target + ".part", _model[..1000]);
        using var downloader = Downloader();
        await downloader.DownloadAsync(downloader.FileUrl(Repo, "model.safetensors"), target);
        Assert.That(File.ReadAllBytes(target), Is.EqualTo(_model));
        Assert.That(_server.Gets.Single().Range, Is.EqualTo("bytes=1000-"));
    }

    [Test]
    public void CorruptedFileFailsTheChecksumAndIsNotKept()
    {
        _server.CorruptBody = true;
        var target = Path.Combine(TempFolder.New(), "model.safetensors");
        using var downloader = Downloader();
        var error = Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(downloader.FileUrl(Repo, "model.safetensors"), target));
        Assert.That(error!.Message, Does.Contain("checksum mismatch"));
        Assert.That(File.Exists(target), Is.False);
        Assert.That(File.Exists(target + ".part"), Is.False);
    }

    [Test]
    public void UnknownFileIsNamed()
    {
        using var downloader = Downloader();
        var error = Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(downloader.FileUrl("nobody/nothing", "model.safetensors"), Path.Combine(TempFolder.New(), "x")));
        Assert.That(error!.Message, Does.Contain("404"));
    }

    [Test]
    public void UnreachableServerIsAClearMessage()
    {
        // A port that was just free: nothing listens there.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var downloader = new HubDownloader(new Uri($"http://127.0.0.1:{port}/"));
        var error = Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(downloader.FileUrl(Repo, "config.json"), Path.Combine(TempFolder.New(), "config.json")));
        Assert.That(error!.Message, Does.StartWith($"cannot reach 127.0.0.1:{port}"));
    }

    [TestCase("https://mirror.example/hf", "https://mirror.example/hf/openai-community/gpt2/resolve/main/config.json")]
    [TestCase(" http://127.0.0.1:8080/ ", "http://127.0.0.1:8080/openai-community/gpt2/resolve/main/config.json")]
    public void AHubAddressKeepsAMirrorsPath(string endpoint, string expected)
    {
        using var downloader = new HubDownloader(HubDownloader.ParseEndpoint(endpoint, HubDownloader.EndpointVariable));
        Assert.That(downloader.FileUrl(Repo, "config.json").ToString(), Is.EqualTo(expected));
    }


    [Test]
    public void ModelNotInTheCacheSaysHowToGetIt()
    {
        var store = new ModelStore(TempFolder.New());
        var error = Assert.Throws<ModelFileException>(() => store.Resolve("gpt2-medium"));
        Assert.That(error!.Message, Does.Contain("concord model download gpt2-medium"));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need the reports in order, now.</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
