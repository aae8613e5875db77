using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Concord.Tests.Correctness;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 that serves files like the Hugging Face hub
/// (<c>/{repo}/resolve/main/{file}</c>, HEAD with X-Linked-Size/X-Linked-Etag, GET with Range),
/// and can misbehave on purpose: drop the connection mid-file, or serve corrupted bytes.
/// Raw sockets, so that a dropped connection is a real dropped connection.
/// </summary>
public sealed class LocalHubServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files = new();
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

    public LocalHubServer()
    {
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(AcceptLoop);
    }

    public void Serve(string repo, string file, byte[] content) => _files[$"/{repo}/resolve/main/{file}"] = content;

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
                string sha = Convert.ToHexStringLower(SHA256.HashData(content));
                if (method == "HEAD")
                {
                    await Write(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {content.Length}\r\nX-Linked-Size: {content.Length}\r\nX-Linked-Etag: \"{sha}\"\r\nConnection: close\r\n\r\n");
                    return;
                }
                headers.TryGetValue("Range", out var range);
                lock (Gets) Gets.Add((path, range ?? ""));
                long start = 0;
                if (range is not null && range.StartsWith("bytes=")) start = long.Parse(range[6..].TrimEnd('-').Split('-')[0]);
                var body = content[(int)start..];
                if (CorruptBody) { body = (byte[])body.Clone(); body[body.Length / 2] ^= 0xFF; }
                string status = start > 0 ? "206 Partial Content" : "200 OK";
                string contentRange = start > 0 ? $"Content-Range: bytes {start}-{content.Length - 1}/{content.Length}\r\n" : "";
                await Write(stream, $"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\n{contentRange}Connection: close\r\n\r\n");
                if (DropsLeft > 0 && DropAfterBytes >= 0 && DropAfterBytes < body.Length)
                {
                    DropsLeft--;
                    await stream.WriteAsync(body.AsMemory(0, DropAfterBytes));
                    await stream.FlushAsync();
                    client.Client.Close(0); // hard close: the client sees the body end early
                    return;
                }
                await stream.WriteAsync(body);
            }
            catch (IOException) { }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        }
    }

    private static Task Write(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
