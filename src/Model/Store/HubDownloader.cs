using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Globalization;

namespace Concord.Model.Store;

public sealed record DownloadProgress(string File, long Received, long? Total);

public sealed class DownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Fetches files from a Hugging Face hub (or any server with the same URL layout) the way
/// <c>huggingface_hub</c> does: a HEAD without redirects for the expected size and SHA-256
/// (<c>X-Linked-Size</c>, <c>X-Linked-Etag</c>), then a GET into <c>file.part</c> that resumes
/// with an HTTP Range after a dropped connection or an interrupted run, a size and checksum
/// check, and an atomic rename, so a half-downloaded file is never taken for a whole one.
/// The server is not trusted: no more is written than the announced size (or, when none is announced,
/// than <see cref="HubFiles.CapFor"/>; a safetensors file stops at the size its header gives), every
/// file is checked for what it claims to be (<see cref="HubFiles.Problem"/>) before the rename, a web
/// page is refused on sight, and a server that connects slowly or stops sending is given up on
/// (<see cref="ConnectTimeout"/>, <see cref="IdleTimeout"/>).
/// </summary>
public sealed class HubDownloader : IDisposable
{
    public const string DefaultEndpoint = "https://huggingface.co";
    public const string EndpointVariable = "HF_ENDPOINT";
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(30);

    private readonly SocketsHttpHandler _getHandler = new() { AllowAutoRedirect = true, ConnectTimeout = DefaultConnectTimeout };
    private readonly SocketsHttpHandler _headHandler = new() { AllowAutoRedirect = false, ConnectTimeout = DefaultConnectTimeout };
    private readonly HttpClient _get;
    private readonly HttpClient _head;
    public Uri Endpoint { get; }
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long opening a connection to the hub may take before it counts as unreachable.</summary>
    public TimeSpan ConnectTimeout
    {
        get => _getHandler.ConnectTimeout;
        // Set before the first request (init), when the handlers still accept it.
        init { _getHandler.ConnectTimeout = value; _headHandler.ConnectTimeout = value; }
    }

    /// <summary>
    /// How long the hub may send nothing — no answer to a request, no byte of a body — before the attempt
    /// is given up (and retried from where it stopped, up to <see cref="MaxAttempts"/>). Not a limit on the
    /// whole download, which on a slow line may rightly take hours.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    public HubDownloader(Uri? endpoint = null)
    {
        // An empty variable is an unset one, as the shell convention has it; anything else must be an address.
        Endpoint = endpoint ?? (Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } e ? ParseEndpoint(e, EndpointVariable) : new Uri(DefaultEndpoint));
        // No HttpClient.Timeout: it would cap a whole multi-gigabyte body; IdleTimeout bounds each wait instead.
        _get = new HttpClient(_getHandler) { Timeout = Timeout.InfiniteTimeSpan };
        _head = new HttpClient(_headHandler) { Timeout = Timeout.InfiniteTimeSpan };
        _get.DefaultRequestHeaders.UserAgent.ParseAdd("concord/1.0");
        _head.DefaultRequestHeaders.UserAgent.ParseAdd("concord/1.0");
    }

    /// <summary>
    /// The hub address <paramref name="text"/> that <paramref name="source"/> (HF_ENDPOINT, --endpoint)
    /// gave, refused in one line naming the source and what is wrong, before any folder or connection is made.
    /// </summary>
    public static Uri ParseEndpoint(string text, string source)
    {
        if (EndpointProblem(text.Trim(), out var uri) is { } problem)
            throw new ArgumentException($"{source} '{text}' is not a hub address: give http(s)://host[:port][/path], e.g. {DefaultEndpoint} ({problem})");
        // FileUrl resolves against the endpoint: without a final slash a mirror's path (https://host/hf) would be dropped.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }

    /// <summary>
    /// What is wrong with an address, checked by hand before <see cref="Uri"/> sees it: Uri quietly repairs
    /// what it is given (escapes spaces, turns backslashes into slashes, "http:host" into "http://host/",
    /// a non-ASCII host into punycode, drops "..") and so would connect somewhere the user did not write.
    /// </summary>
    private static string? EndpointProblem(string text, out Uri uri)
    {
        uri = null!;
        if (text.Length == 0) return "it is empty";
        foreach (char c in text)
        {
            if (c > '\u007f') return "it holds a non-ASCII character; write an international host name in its xn-- form";
            if (c == ' ') return "it holds a space";
            if (c < ' ' || c == '\u007f') return "it holds a control character";
        }
        if (text.Contains('\\')) return "it holds a backslash";
        int colon = text.IndexOf(':');
        bool hasScheme = colon > 0 && char.IsAsciiLetter(text[0]) && text[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')
                         && !IsPort(text[(colon + 1)..].Split('/')[0]); // host:8080 is a host and a port
        if (!hasScheme) return text.StartsWith('/') || text.StartsWith('.') ? "a path, not an address" : "no scheme: begin it with https:// or http://";
        string scheme = text[..colon].ToLowerInvariant();
        if (scheme is not ("http" or "https")) return $"the scheme is {scheme}:, not http: or https:";
        if (!text[(colon + 1)..].StartsWith("//", StringComparison.Ordinal)) return $"{scheme}: must be followed by //";
        if (text.Contains('?')) return "a query (?...) has no place in it";
        if (text.Contains('#')) return "a fragment (#...) has no place in it";
        string rest = text[(colon + 3)..];
        int slash = rest.IndexOf('/');
        string authority = slash < 0 ? rest : rest[..slash], path = slash < 0 ? "" : rest[slash..];
        if (authority.Contains('@')) return "it holds a user name or password before @, which Concord does not send";
        if (authority.Length == 0) return "it has no host";
        string host = authority, port = "";
        bool hasPort;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            if (close < 0) return "the IPv6 host has no closing ]";
            host = authority[..(close + 1)];
            string after = authority[(close + 1)..];
            if (after.Length > 0 && after[0] != ':') return $"'{after}' follows the host";
            hasPort = after.Length > 0;
            port = hasPort ? after[1..] : "";
            if (!IPAddress.TryParse(host[1..^1], out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
                return $"{host} is not an IPv6 address";
        }
        else
        {
            int hostEnd = authority.IndexOf(':');
            hasPort = hostEnd >= 0;
            if (hasPort) { host = authority[..hostEnd]; port = authority[(hostEnd + 1)..]; }
            if (host.Length == 0) return "it has no host";
            if (host.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-')) is var bad and not '\0')
                return $"the host '{host}' holds '{bad}', which no host name has";
            if (host.Split('.').SkipLast(1).Any(label => label.Length == 0)) return $"the host '{host}' has an empty label";
        }
        if (hasPort)
        {
            if (port.Length == 0) return "the port after : is missing";
            if (!port.All(char.IsAsciiDigit)) return $"the port '{port}' is not a number";
            if (port.Length > 1 && port[0] == '0') return $"the port {port} has a leading zero";
            if (port.Length > 5 || int.Parse(port, CultureInfo.InvariantCulture) is < 1 or > 65535)
                return $"the port {port} is not between 1 and 65535";
        }
        foreach (string segment in path.Split('/'))
        {
            if (segment is "." or "..") return "the path holds a . or .. segment";
            if (segment.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@%".Contains(c))) is var odd and not '\0')
                return $"the path holds '{odd}'";
            for (int i = segment.IndexOf('%'); i >= 0; i = segment.IndexOf('%', i + 1))
                if (i + 2 >= segment.Length || !Uri.IsHexDigit(segment[i + 1]) || !Uri.IsHexDigit(segment[i + 2]))
                    return "the path holds a % that is not followed by two hex digits";
        }
        return Uri.TryCreate(text, UriKind.Absolute, out uri!) ? null : "it is not an address";
    }

    private static bool IsPort(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    public Uri FileUrl(string repo, string file, string revision = "main") =>
        new(Endpoint, $"{repo}/resolve/{revision}/{file}");

    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destination"/>, which appears only once the file is
    /// whole and checked. A dropped connection or a stall is retried from where it stopped; a partial file an
    /// interruption leaves (<c>destination.part</c>) is resumed by the next call. A file that breaks a limit or
    /// fails its check is deleted and never renamed.
    /// </summary>
    public async Task DownloadAsync(Uri url, string destination, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        string name = Path.GetFileName(destination);
        string part = destination + ".part";
        long? announced;
        string? expectedSha;
        try { (announced, expectedSha) = await ProbeAsync(url, name, ct); }
        catch (ContentRefused e) { throw new DownloadException(e.Message, e); }
        long cap = HubFiles.CapFor(name);
        if (announced > cap)
            throw new DownloadException($"{url}: the hub announces {announced} bytes, more than a {name} may have ({cap}); nothing was downloaded");
        var limit = announced is long a ? new Limit(a, $"the {a} bytes the hub announced") : new Limit(cap, $"{cap} bytes, the most a {name} may have when no size is announced");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);

        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await FetchIntoPartAsync(url, part, name, announced, limit, progress, ct);
                break;
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
            {
                // Ctrl-C can surface as a broken read; it is an interruption all the same, and the partial file is kept to resume.
                throw new OperationCanceledException("download interrupted", e, ct);
            }
            catch (ContentRefused e)
            {
                // Refused for what the server sent (too much, a web page, not the file): nothing of it may be resumed.
                Delete(part);
                throw new DownloadException(e.Message, e);
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
        if (announced is long want && size != want)
        {
            Delete(part);
            throw new DownloadException($"{url}: received {size} bytes, the server announced {want}; the partial file was removed, run again");
        }
        if (expectedSha is not null)
        {
            string actual = await Sha256Async(part, ct);
            if (!string.Equals(actual, expectedSha, StringComparison.OrdinalIgnoreCase))
            {
                Delete(part);
                throw new DownloadException($"{url}: checksum mismatch (SHA-256 {actual}, expected {expectedSha}); the corrupt file was removed, run again");
            }
        }
        if (HubFiles.Problem(name, part) is { } problem)
        {
            Delete(part);
            throw new DownloadException($"{url}: the downloaded file is not a usable {name} ({problem}); it was not kept");
        }
        File.Move(part, destination, overwrite: true);
    }

    /// <summary>The most bytes a file may have, and where that bound came from (said when a server exceeds it).</summary>
    private sealed record Limit(long Bytes, string Origin);

    private async Task<(long? Size, string? Sha256)> ProbeAsync(Uri url, string name, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(IdleTimeout);
        HttpResponseMessage response;
        try { response = await _head.SendAsync(request, idle.Token); }
        catch (Exception e) when (!ct.IsCancellationRequested && IsConnectTimeout(e)) { throw Unreachable(url, e); }
        catch (Exception) when (!ct.IsCancellationRequested && idle.IsCancellationRequested)
        {
            throw new DownloadException($"{url}: no answer within {Seconds(IdleTimeout)} (the idle timeout); the hub may be overloaded, run again later");
        }
        catch (HttpRequestException e) { throw Unreachable(url, e); }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new DownloadException($"{url}: {(int)response.StatusCode} {response.ReasonPhrase} (unknown model or file, or a gated repository)");
            if ((int)response.StatusCode >= 400)
                throw new DownloadException($"{url}: server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            RefuseWebPage(url, name, response);
            long? size = Header(response, "X-Linked-Size") is { } s && long.TryParse(s, out long n) ? n : response.Content.Headers.ContentLength;
            if ((int)response.StatusCode is >= 300 and < 400 && Header(response, "X-Linked-Size") is null) size = null;
            if (size < 0) size = null;
            string? etag = (Header(response, "X-Linked-Etag") ?? Header(response, "ETag"))?.Trim('"').Replace("W/", "").Trim('"');
            // LFS files carry their SHA-256 as the linked ETag; git files carry a SHA-1, which says nothing about content we can check.
            string? sha = etag is { Length: 64 } && etag.All(Uri.IsHexDigit) ? etag.ToLowerInvariant() : null;
            return (size, sha);
        }
    }

    /// <summary>
    /// A web page where a model file should be — a captive portal, a login page, an endpoint that is a
    /// website rather than a hub — refused before a byte of it is written. (The content check would catch
    /// it too; this says what happened.)
    /// </summary>
    private void RefuseWebPage(Uri url, string name, HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType is "text/html" or "application/xhtml+xml"
            && !name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
            throw new ContentRefused($"{url}: the server sent a web page (text/html), not {name}: is {Endpoint} a Hugging Face hub?");
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault()
        : r.Content.Headers.TryGetValues(name, out var c) ? c.FirstOrDefault() : null;

    private async Task FetchIntoPartAsync(Uri url, string part, string name, long? announced, Limit limit, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (announced is long complete && have == complete) return;
        if (have > limit.Bytes) { File.Delete(part); have = 0; }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        // One timer for every wait of this attempt, restarted before each: it fires only when the server sends nothing for IdleTimeout.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(IdleTimeout);
        HttpResponseMessage response;
        try { response = await _get.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token); }
        catch (Exception e) when (!ct.IsCancellationRequested && have == 0 && IsConnectTimeout(e)) { throw Unreachable(url, e); }
        catch (Exception e) when (!ct.IsCancellationRequested && idle.IsCancellationRequested) { throw new IdleTimeoutException(IdleTimeout, e); }
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
            RefuseWebPage(url, name, response);
            bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (!resumed) have = 0; // the server ignored the Range: rewrite from the start
            else if (response.Content.Headers.ContentRange?.From != have)
            {
                // Bytes from elsewhere in the file appended here would make a file no check could trust: start over.
                File.Delete(part);
                throw new IOException($"server resumed at byte {response.Content.Headers.ContentRange?.From}, not {have}; restarting from the beginning");
            }
            long? length = response.Content.Headers.ContentLength;
            if (length is long l && have + l > limit.Bytes)
                throw new ContentRefused($"{url}: the server would send {have + l} bytes, more than {limit.Origin}; nothing of it was kept");
            long? total = announced ?? (length is long len ? len + have : null);

            await using var source = await response.Content.ReadAsStreamAsync(idle.Token);
            // Readable by others: the safetensors header is read back from the file while it grows.
            await using var target = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
            bool sizedByHeader = !HubFiles.IsSafetensors(name);
            // Until a safetensors header is whole, reads go no further than it: its size is the bound for the rest.
            long prefix = 8;
            var buffer = new byte[1 << 20];
            long received = have;
            var lastReport = DateTime.MinValue;
            progress?.Report(new DownloadProgress(name, received, total));
            while (true)
            {
                idle.CancelAfter(IdleTimeout);
                int want = sizedByHeader || received >= prefix ? buffer.Length : (int)Math.Min(buffer.Length, prefix - received);
                int n;
                try { n = await source.ReadAsync(buffer.AsMemory(0, want), idle.Token); }
                catch (Exception e) when (!ct.IsCancellationRequested && idle.IsCancellationRequested) { throw new IdleTimeoutException(IdleTimeout, e); }
                if (n == 0) break;
                // Checked before writing: the file never holds a byte past its bound, whatever the server sends.
                if (received + n > limit.Bytes)
                    throw new ContentRefused($"{url}: the server sent more than {limit.Origin}; stopped there and kept nothing");
                await target.WriteAsync(buffer.AsMemory(0, n), ct);
                received += n;
                if (!sizedByHeader && received >= prefix)
                {
                    await target.FlushAsync(ct);
                    long? bySize;
                    try { bySize = HubFiles.SafetensorsSize(part, received, out prefix); }
                    catch (InvalidDataException e) { throw new ContentRefused($"{url}: {e.Message}; nothing of it was kept"); }
                    if (bySize is long headerSize)
                    {
                        sizedByHeader = true;
                        string gives = headerSize == long.MaxValue ? "more than 2^63" : headerSize.ToString(CultureInfo.InvariantCulture);
                        if (announced is long a && headerSize != a)
                            throw new ContentRefused($"{url}: the file's safetensors header gives {gives} bytes, the hub announced {a}: not the announced file; nothing of it was kept");
                        if (headerSize > limit.Bytes)
                            throw new ContentRefused($"{url}: the file's safetensors header gives {gives} bytes, more than {limit.Origin}; nothing of it was kept");
                        limit = new Limit(headerSize, $"the {headerSize} bytes its safetensors header gives");
                        total ??= headerSize;
                    }
                }
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

    /// <summary>What the server sent is not the file, or more than it may be: the partial file is deleted, never resumed or retried.</summary>
    private sealed class ContentRefused(string message) : Exception(message);

    /// <summary>A server that sent nothing for the idle timeout: transient (an IOException), so the attempt is retried from where it stopped.</summary>
    private sealed class IdleTimeoutException(TimeSpan idle, Exception inner) : IOException($"no data for {Seconds(idle)}, the idle timeout", inner);

    private static string Seconds(TimeSpan t) => t.TotalSeconds >= 1
        ? t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>SocketsHttpHandler's ConnectTimeout: a cancellation whose cause is a TimeoutException, with no caller having cancelled.</summary>
    private static bool IsConnectTimeout(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is TimeoutException) return true;
        return false;
    }

    private static void Delete(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }

    private static bool IsTransient(Exception e) => e is IOException or HttpRequestException
        || (e is TaskCanceledException && e.InnerException is TimeoutException);

    private DownloadException Unreachable(Uri url, Exception e) =>
        new($"cannot reach {url.Host}:{url.Port} ({(IsConnectTimeout(e) ? $"no connection within {Seconds(ConnectTimeout)}, the connect timeout" : e.InnerException?.Message ?? e.Message)}). " +
            $"Check the network or set {EndpointVariable}; offline, copy config.json and model.safetensors into a folder and pass that folder as the model", e);

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
