using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Concord.Tests.Correctness;

/// <summary>What a <see cref="LocalHubServer"/> does wrong when asked for a file.</summary>
public enum HubFault
{
    None,
    /// <summary>HEAD and GET announce no size (no Content-Length, no X-Linked-Size) and no checksum; the body is the file. Not a fault: must download.</summary>
    NoSizeAnnounced,
    /// <summary>HEAD announces the file; the GET's Content-Length and body are twice as long.</summary>
    Oversize,
    /// <summary>HEAD announces the file; the GET has no Content-Length and sends the file and as much junk again.</summary>
    OversizeUnannounced,
    /// <summary>No size anywhere; the GET sends the file and then filler without end.</summary>
    Endless,
    /// <summary>A web page (text/html) for every request, as a captive portal or a website at the endpoint gives.</summary>
    Html,
    /// <summary>The same page labelled application/octet-stream: only the content check can tell.</summary>
    HtmlUnlabelled,
    /// <summary>The file cut in half, announced and checksummed as it is: the hub itself holds a broken file.</summary>
    Truncated,
    /// <summary>The announced SHA-256 is another file's.</summary>
    WrongChecksum,
    /// <summary>The GET sends its headers and half the body, then nothing, holding the connection open.</summary>
    StallMidBody,
    /// <summary>Reads the request and never answers.</summary>
    StallBeforeAnswer,
    /// <summary>Answers a Range request with 206 and the file from its first byte (a Content-Range that is not the one asked for).</summary>
    ResumesElsewhere,
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 that serves files like the Hugging Face hub
/// (<c>/{repo}/resolve/main/{file}</c>, HEAD with X-Linked-Size/X-Linked-Etag, GET with Range),
/// and can misbehave on purpose: drop the connection mid-file, serve corrupted bytes, or any
/// <see cref="HubFault"/> per file. Raw sockets, so that a dropped connection is a real dropped
/// connection and a stall a real stall.
/// </summary>
public sealed class LocalHubServer : IDisposable
{
    /// <summary>What a web server answers where a file should be.</summary>
    public static readonly byte[] WebPage = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head><body><p>Please sign in.</p></body></html>\n");

    /// <summary>The most an endless body sends before the server gives up on the client, so a broken client cannot fill the test machine's disk either.</summary>
    private const long EndlessBound = 256L << 20;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files = new();
    private readonly Dictionary<string, HubFault> _faults = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Uri Endpoint { get; }
    /// <summary>GET requests received, with their Range header ("" when none).</summary>
    public List<(string Path, string Range)> Gets { get; } = new();
    /// <summary>Drop the connection after this many body bytes, for the next N GETs of any file.</summary>
    public int DropAfterBytes { get; set; } = -1;
    public int DropsLeft { get; set; }
    /// <summary>Serve bytes that differ from the announced checksum.</summary>
    public bool CorruptBody { get; set; }
    /// <summary>Body bytes sent in all, to see that a refused download stopped reading.</summary>
    public long BodyBytesSent => Interlocked.Read(ref _bodyBytesSent);
    private long _bodyBytesSent;

    public LocalHubServer()
    {
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(AcceptLoop);
    }

    public void Serve(string repo, string file, byte[] content) => _files[$"/{repo}/resolve/main/{file}"] = content;

    /// <summary>From now on, requests for <paramref name="file"/> (in any repository) meet <paramref name="fault"/>.</summary>
    public void Misbehave(string file, HubFault fault)
    {
        lock (_faults) _faults[file] = fault;
    }

    private HubFault FaultFor(string path)
    {
        lock (_faults) return _faults.GetValueOrDefault(path[(path.LastIndexOf('/') + 1)..], HubFault.None);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync();
                if (requestLine is null) return;
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                for (string? line; !string.IsNullOrEmpty(line = await reader.ReadLineAsync());)
                {
                    int colon = line.IndexOf(':');
                    if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
                var parts = requestLine.Split(' ');
                string method = parts[0], path = parts[1];
                if (!_files.TryGetValue(path, out var content))
                {
                    await Write(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                var fault = FaultFor(path);
                if (fault == HubFault.StallBeforeAnswer)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                string type = "application/octet-stream";
                if (fault is HubFault.Html or HubFault.HtmlUnlabelled)
                {
                    content = WebPage;
                    if (fault == HubFault.Html) type = "text/html; charset=utf-8";
                }
                if (fault == HubFault.Truncated) content = content[..(content.Length / 2)];
                string sha = Convert.ToHexStringLower(SHA256.HashData(fault == HubFault.WrongChecksum ? [.. content, 0] : content));
                bool announced = fault is not (HubFault.NoSizeAnnounced or HubFault.Endless);
                if (method == "HEAD")
                {
                    string size = announced ? $"Content-Length: {content.Length}\r\nX-Linked-Size: {content.Length}\r\nX-Linked-Etag: \"{sha}\"\r\n" : "";
                    await Write(stream, $"HTTP/1.1 200 OK\r\nContent-Type: {type}\r\n{size}Connection: close\r\n\r\n");
                    return;
                }
                headers.TryGetValue("Range", out var range);
                lock (Gets) Gets.Add((path, range ?? ""));
                long start = 0;
                if (range is not null && range.StartsWith("bytes=")) start = long.Parse(range[6..].TrimEnd('-').Split('-')[0]);
                bool elsewhere = fault == HubFault.ResumesElsewhere && start > 0;
                var body = content[(elsewhere ? 0 : (int)start)..];
                if (CorruptBody) { body = (byte[])body.Clone(); body[body.Length / 2] ^= 0xFF; }
                string status = start > 0 ? "206 Partial Content" : "200 OK";
                string contentRange = start > 0 ? $"Content-Range: bytes {(elsewhere ? 0 : start)}-{content.Length - 1}/{content.Length}\r\n" : "";
                switch (fault)
                {
                    case HubFault.Oversize:
                        body = [.. body, .. body];
                        break;
                    case HubFault.OversizeUnannounced or HubFault.NoSizeAnnounced or HubFault.Endless:
                        // No Content-Length: the body ends when the server closes the connection.
                        await Write(stream, $"HTTP/1.1 {status}\r\nContent-Type: {type}\r\n{contentRange}Connection: close\r\n\r\n");
                        await Send(stream, body);
                        if (fault == HubFault.OversizeUnannounced) await Send(stream, Enumerable.Repeat((byte)' ', body.Length).ToArray());
                        if (fault == HubFault.Endless)
                        {
                            var filler = Enumerable.Repeat((byte)' ', 1 << 16).ToArray();
                            for (long sent = 0; sent < EndlessBound && !_stop.IsCancellationRequested; sent += filler.Length) await Send(stream, filler);
                        }
                        return;
                }
                await Write(stream, $"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\n{contentRange}Connection: close\r\n\r\n");
                if (fault == HubFault.StallMidBody)
                {
                    await Send(stream, body.AsMemory(0, body.Length / 2));
                    await stream.FlushAsync();
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                if (DropsLeft > 0 && DropAfterBytes >= 0 && DropAfterBytes < body.Length)
                {
                    DropsLeft--;
                    await Send(stream, body.AsMemory(0, DropAfterBytes));
                    await stream.FlushAsync();
                    client.Client.Close(0); // hard close: the client sees the body end early
                    return;
                }
                await Send(stream, body);
            }
            catch (IOException) { }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
            catch (OperationCanceledException) { }
        }
    }

    private async Task Send(NetworkStream stream, ReadOnlyMemory<byte> bytes)
    {
        await stream.WriteAsync(bytes, _stop.Token);
        Interlocked.Add(ref _bodyBytesSent, bytes.Length);
    }

    private Task Write(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token).AsTask();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
