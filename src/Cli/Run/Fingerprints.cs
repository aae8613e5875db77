using System.Security.Cryptography;
using System.Text;

namespace Concord.Cli.Run;

/// <summary>Short content hashes that tie cached units to the exact model and data they came from.</summary>
public static class Fingerprints
{
    /// <summary>config.json's bytes, and the weights file's size, time and safetensors header (hashing gigabytes of weights on every run would be slow).</summary>
    public static string Model(string folder)
    {
        var weights = new FileInfo(Path.Combine(folder, "model.safetensors"));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.IO.File.ReadAllBytes(Path.Combine(folder, "config.json")));
        sha.AppendData(Encoding.UTF8.GetBytes($"{weights.Length}|{weights.LastWriteTimeUtc.Ticks}"));
        using (var stream = weights.OpenRead())
        {
            var head = new byte[Math.Min(1 << 20, weights.Length)];
            stream.ReadExactly(head);
            sha.AppendData(head);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    public static string File(string path, string options) =>
        Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(path).Concat(Encoding.UTF8.GetBytes(options)).ToArray()))[..16];
}
