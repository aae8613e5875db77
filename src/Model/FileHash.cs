using System.Security.Cryptography;

namespace Concord.Model;

/// <summary>Content hashes of files (weights, datasets, word lists): what fingerprints and provenance name them by.</summary>
public static class FileHash
{
    /// <summary>The file's SHA-256 in lower-case hex, streamed (about a second for GPT-2 small's weights).</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
