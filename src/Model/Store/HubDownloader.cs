using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Concord.Model.Safetensors;

namespace Concord.Model.Store;

public sealed record DownloadProgress(string File, long Received, long? Total);

public sealed class DownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Fetches files from a Hugging Face hub (or any server with the same URL layout) the way
/// <c>huggingface_hub</c> does: a HEAD without redirects for the expected size and SHA-256
/// (<c>X-Linked-Size</c>, <c>X-Linked-Etag</c>), then a GET into <c>file.part</c> that resumes
/// with an HTTP Range after a dropped connection or an interrupted run, a size and checksum
/// check, and an atomic rename, so a half-downloaded file is never taken for a whole one.
/// </summary>
public sealed class HubDownloader : IDisposable
{
    public const string DefaultEndpoint = "https://huggingface.co";
    public const string EndpointVariable = "HF_ENDPOINT";

    private readonly HttpClient _get;
    private readonly HttpClient _head;
    public Uri Endpoint { get; }
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public HubDownloader(Uri? endpoint = null, TimeSpan? timeout = null)
    {
        // An empty variable is an unset one, as the shell convention has it; anything else must be an address.
        Endpoint = endpoint ?? (Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } e ? ParseEndpoint(e, EndpointVariable) : new Uri(DefaultEndpoint));
        _get = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, ConnectTimeout = TimeSpan.FromSeconds(20) })
        { Timeout = timeout ?? Timeout.InfiniteTimeSpan };
        _head = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(20) })
        { Timeout = TimeSpan.FromSeconds(60) };
        _get.DefaultRequestHeaders.UserAgent.ParseAdd("concord/1.0");
        _head.DefaultRequestHeaders.UserAgent.ParseAdd("concord/1.0");
    }

    /// <summary>
    /// The hub address <paramref name="text"/> that <paramref name="source"/> (HF_ENDPOINT, --endpoint)
    /// gave, refused in one line naming the source before any folder or connection is made.
    /// </summary>
    public static Uri ParseEndpoint(string text, string source)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new ArgumentException($"{source} '{text}' is not a hub address: give http(s)://host[:port][/path], e.g. {DefaultEndpoint}");
        // FileUrl resolves against the endpoint: without a final slash a mirror's path (https://host/hf) would be dropped.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }

    public Uri FileUrl(string repo, string file, string revision = "main") =>
        new(Endpoint, $"{repo}/resolve/{revision}/{file}");

    public async Task DownloadAsync(Uri url, string destination, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        string name = Path.GetFileName(destination);
        string part = destination + ".part";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var (expectedSize, expectedSha) = await ProbeAsync(url, ct);

        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await FetchIntoPartAsync(url, part, name, expectedSize, progress, ct);
                break;
            }
            catch (Exception e) when (IsTransient(e) && attempt < MaxAttempts && !ct.IsCancellationRequested)
            {
                // Keep the partial file: the next attempt asks only for the missing bytes.
                await Task.Delay(RetryDelay * attempt, ct);
            }
            catch (Exception e) when (IsTransient(e))
            {
                throw new DownloadException($"{url}: download failed after {attempt} attempts ({e.Message}); the partial file {part} is kept and a rerun resumes it", e);
            }
        }

        long size = new FileInfo(part).Length;
        if (expectedSize is long want && size != want)
        {
            File.Delete(part);
            throw new DownloadException($"{url}: received {size} bytes, the server announced {want}; the partial file was removed, run again");
        }
        if (expectedSha is not null)
        {
            string actual = await Sha256Async(part, ct);
            if (!string.Equals(actual, expectedSha, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(part);
                throw new DownloadException($"{url}: checksum mismatch (SHA-256 {actual}, expected {expectedSha}); the corrupt file was removed, run again");
            }
        }
        if (destination.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            try { SafetensorsFile.Open(part); }
            catch (ModelFileException e)
            {
                File.Delete(part);
                throw new DownloadException($"{url}: downloaded file is not valid safetensors ({e.Message}); it was removed", e);
            }
        }
        File.Move(part, destination, overwrite: true);
    }

    private async Task<(long? Size, string? Sha256)> ProbeAsync(Uri url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        HttpResponseMessage response;
        try { response = await _head.SendAsync(request, ct); }
        catch (HttpRequestException e) { throw Unreachable(url, e); }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new DownloadException($"{url}: {(int)response.StatusCode} {response.ReasonPhrase} (unknown model or file, or a gated repository)");
            if ((int)response.StatusCode >= 400)
                throw new DownloadException($"{url}: server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            long? size = Header(response, "X-Linked-Size") is { } s && long.TryParse(s, out long n) ? n : response.Content.Headers.ContentLength;
            if ((int)response.StatusCode is >= 300 and < 400 && Header(response, "X-Linked-Size") is null) size = null;
            string? etag = (Header(response, "X-Linked-Etag") ?? Header(response, "ETag"))?.Trim('"').Replace("W/", "").Trim('"');
            // LFS files carry their SHA-256 as the linked ETag; git files carry a SHA-1, which says nothing about content we can check.
            string? sha = etag is { Length: 64 } && etag.All(Uri.IsHexDigit) ? etag.ToLowerInvariant() : null;
            return (size, sha);
        }
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault()
        : r.Content.Headers.TryGetValues(name, out var c) ? c.FirstOrDefault() : null;

    private async Task FetchIntoPartAsync(Uri url, string part, string name, long? expectedSize, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (expectedSize is long complete && have == complete) return;
        if (expectedSize is long announced && have > announced) { File.Delete(part); have = 0; }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        HttpResponseMessage response;
        try { response = await _get.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct); }
        catch (HttpRequestException e) when (e.InnerException is SocketException && have == 0) { throw Unreachable(url, e); }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                File.Delete(part); // The server's file changed under us: start over on the next attempt.
                throw new IOException("server refused the resume range; restarting from the beginning");
            }
            if (!response.IsSuccessStatusCode)
                throw new DownloadException($"{url}: server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (!resumed) have = 0; // the server ignored the Range: rewrite from the start
            long? total = expectedSize ?? (response.Content.Headers.ContentLength is long len ? len + have : null);

            await using var source = await response.Content.ReadAsStreamAsync(ct);
            await using var target = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            var buffer = new byte[1 << 20];
            long received = have;
            var lastReport = DateTime.MinValue;
            progress?.Report(new DownloadProgress(name, received, total));
            while (true)
            {
                int n = await source.ReadAsync(buffer, ct);
                if (n == 0) break;
                await target.WriteAsync(buffer.AsMemory(0, n), ct);
                received += n;
                if (DateTime.UtcNow - lastReport > TimeSpan.FromMilliseconds(200))
                {
                    progress?.Report(new DownloadProgress(name, received, total));
                    lastReport = DateTime.UtcNow;
                }
            }
            progress?.Report(new DownloadProgress(name, received, total));
            if (total is long t && received < t)
                throw new IOException($"connection closed after {received} of {t} bytes");
        }
    }

    private static bool IsTransient(Exception e) => e is IOException or HttpRequestException
        || (e is TaskCanceledException && e.InnerException is TimeoutException);

    private static DownloadException Unreachable(Uri url, Exception e) =>
        new($"cannot reach {url.Host}:{url.Port} ({e.InnerException?.Message ?? e.Message}). Check the network or set {EndpointVariable}; " +
            "offline, copy config.json and model.safetensors into a folder and pass that folder as the model", e);

    public static async Task<string> Sha256Async(string path, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    public void Dispose()
    {
        _get.Dispose();
        _head.Dispose();
    }
}
