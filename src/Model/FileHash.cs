using System.Security.Cryptography;

namespace Concord.Model;

/// <summary>Content hashes of files (weights, datasets, word lists): what fingerprints and provenance name them by.</summary>
public static class FileHash
{
    /// <summary>
    /// The file's SHA-256 in lower-case hex, streamed (about a second for GPT-2 small's weights; a minute for
    /// GPT-2 XL's on a slow disk). Ctrl-C is honoured between 1 MiB blocks, so a hash never outlasts it by
    /// more than a block's read; a FIFO or a device is refused before it is opened (it would block or never end).
    /// </summary>
    public static string Sha256(string path, CancellationToken cancel = default)
    {
        InputFiles.RequireRegular(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[1 << 20];
        int read;
        while ((read = stream.Read(block)) > 0)
        {
            cancel.ThrowIfCancellationRequested();
            hash.AppendData(block, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
