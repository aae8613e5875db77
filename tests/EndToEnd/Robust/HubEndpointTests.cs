using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Concord.Cli;
using Concord.Model.Store;
using Concord.Tests.EndToEnd.Robust.Generated;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// Issue 31 (4) at the command line: `model download` with a malformed hub address, from the variable or
/// the option, keeps the error contract (exit 2, one line naming the setting, no "internal error", no cache
/// folder); and an interrupted download stops within a second with nothing in the cache. In-process, so
/// each case takes milliseconds; no case connects beyond 127.0.0.1.
/// </summary>
[TestFixture, NonParallelizable]
public class HubEndpointTests
{
    /// <summary>One or two of each family the downloader's own tests try in full (tests/Correctness DownloadTests.Endpoints).</summary>
    private static readonly string[] Malformed =
    [
        "huggingface.co", "127.0.0.1:8080", "ftp://huggingface.co", "file:///etc/passwd", "http:127.0.0.1", "https://hugging face.co",
        "https://huggingface.co:443x", "https://huggingface.co/\"", "https://huggingface.co/?q", "http://", "http://:8080",
        "https://user:pass@huggingface.co", "http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:99999", "http://127.0.0.1:-1",
        "https://hüggingface.co", "https://huggingface.co/\nx", "/srv/hub", "./hub", "..\\hub", "http://[::1", "https://huggingface.co/../x",
    ];

    private static IEnumerable<TestCaseData> SettingsTimesSpellings() =>
        from setting in new[] { HubDownloader.EndpointVariable, "--endpoint" } from spelling in Malformed
        select new TestCaseData(setting, spelling).SetArgDisplayNames(setting, spelling.Replace("\n", "\\n", StringComparison.Ordinal));

    [TestCaseSource(nameof(SettingsTimesSpellings))]
    public void AMalformedHubAddressIsOneLineNamingItsSetting(string setting, string spelling)
    {
        var folder = TempFolder.New("endpoint");
        string cache = Path.Combine(folder, "cache");
        var environment = new Dictionary<string, string?> { [HubDownloader.EndpointVariable] = null, [ModelStore.CacheVariable] = null };
        string[] args = ["model", "download", "gpt2", "--cache", cache];
        if (setting == HubDownloader.EndpointVariable) environment[setting] = spelling;
        else args = [.. args, setting, spelling];
        var result = InProcessConcord.Run(args, folder, TimeSpan.FromSeconds(30), environment);
        Assert.That(result.Code, Is.EqualTo(CliRunner.UsageError), result.Error);
        Assert.That(ErrorContract.Violation(result, CliRunner.UsageError, [$"{setting} '"], [cache]), Is.Null, result.Error);
        Assert.That(result.Error, Does.Contain("is not a hub address"));
    }

    [Test]
    public void AnInterruptedDownloadStopsWithinASecondAndLeavesNoModelInTheCache()
    {
        // A hub that accepts connections and never answers: the download waits on it until interrupted.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new System.Collections.Concurrent.ConcurrentBag<TcpClient>();
        _ = Task.Run(async () =>
        {
            try { while (true) held.Add(await silent.AcceptTcpClientAsync()); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        });
        var folder = TempFolder.New("interrupt");
        string cache = Path.Combine(folder, "cache");
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        var watch = Stopwatch.StartNew();
        // The run's time limit cancels the command's token, as Ctrl-C and SIGTERM do in a process.
        var result = InProcessConcord.Run(["model", "download", "gpt2", "--cache", cache, "--endpoint", endpoint], folder, TimeSpan.FromSeconds(1));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "stopped within a second of the interruption");
        Assert.That(result.Code, Is.EqualTo(130), result.Error);
        Assert.That(result.Error.Trim(), Is.EqualTo("interrupted; finished work is kept"));
        Assert.That(Path.Exists(Path.Combine(cache, "gpt2")), Is.False, "the model's folder");
        foreach (var client in held) client.Dispose();
    }
}
