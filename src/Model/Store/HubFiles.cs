using System.Buffers.Binary;
using System.Text.Json;

namespace Concord.Model.Store;

/// <summary>
/// What the downloader knows about each kind of hub file: how large it may be, and how it is checked
/// before it enters the cache. The caps bound what a server can make Concord write when it announces
/// no size (or announces an absurd one): a misconfigured mirror, a captive portal's web page or an
/// endless stream must end in an error, never in a full disk or a cache that later downloads trust.
/// </summary>
public static class HubFiles
{
    /// <summary>config.json: GPT-2's is under 1 KB; a megabyte leaves room for any config a hub could carry.</summary>
    public const long ConfigCap = 1L << 20;

    /// <summary>Other JSON and text files (tokenizer.json, vocab.json, merges.txt): a 50k-word tokenizer is a few megabytes.</summary>
    public const long TextCap = 64L << 20;

    /// <summary>A safetensors file's size is what its header says; this bounds even that (gpt2-xl is 6.4 GB).</summary>
    public const long SafetensorsCap = 64L << 30;

    public static bool IsSafetensors(string file) => file.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);

    private static bool IsConfig(string file) => string.Equals(file, "config.json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The most bytes <paramref name="file"/> may have, whatever a server announces.</summary>
    public static long CapFor(string file) => IsConfig(file) ? ConfigCap : IsSafetensors(file) ? SafetensorsCap : TextCap;

    /// <summary>
    /// Null when the downloaded <paramref name="path"/> is a whole, usable <paramref name="file"/>, else why not.
    /// config.json must be a GPT-2 config (the checks every model load makes); a safetensors file must open
    /// (header, dtypes, offsets within the file); any other .json must parse.
    /// </summary>
    public static string? Problem(string file, string path)
    {
        try
        {
            if (IsConfig(file)) Gpt2Config.Load(path);
            else if (IsSafetensors(file)) SafetensorsFile.Open(path);
            else if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                using var stream = File.OpenRead(path);
                using var _ = JsonDocument.Parse(stream);
            }
            return null;
        }
        // The readers name the file they read, which is the temporary the user never chose: said without it.
        catch (ModelFileException e) { return e.Message.Replace(path + ": ", "", StringComparison.Ordinal).Replace(path, file, StringComparison.Ordinal); }
        catch (JsonException e) { return $"not valid JSON ({e.Message})"; }
    }

    /// <summary>
    /// The size a safetensors file must have by its header (8 + header length + end of the last tensor),
    /// read from the first <paramref name="have"/> bytes of <paramref name="path"/>; null while those are
    /// too few to say, with <paramref name="needed"/> the bytes it takes (8, then 8 + header length), so a
    /// download reads no further until it knows. Lets a download stop at the first byte past the file's own
    /// end, and refuse a web page or random bytes after eight bytes instead of after the cap.
    /// </summary>
    public static long? SafetensorsSize(string path, long have, out long needed)
    {
        needed = 8;
        if (have < 8) return null;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > SafetensorsFile.MaxHeaderBytes)
            throw new InvalidDataException($"not a safetensors file (its first 8 bytes give a header of {headerLength} bytes, more than the {SafetensorsFile.MaxHeaderBytes} allowed)");
        needed = 8 + (long)headerLength;
        if (have < needed) return null;
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long end = 0;
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException("not a safetensors file (its header is not a JSON object)");
            foreach (var entry in doc.RootElement.EnumerateObject())
                if (entry.Name != "__metadata__" && entry.Value.ValueKind == JsonValueKind.Object
                    && entry.Value.TryGetProperty("data_offsets", out var offsets) && offsets.ValueKind == JsonValueKind.Array
                    && offsets.GetArrayLength() == 2 && offsets[1].TryGetInt64(out long e))
                    end = Math.Max(end, e);
        }
        catch (JsonException e) { throw new InvalidDataException($"not a safetensors file (its header is not valid JSON: {e.Message})"); }
        // The full check (dtypes, shapes, overlaps) runs on the whole file; here only the size matters,
        // saturated so that an absurd offset reads as too large rather than wrapping to a small size.
        long start = 8 + (long)headerLength;
        return end > long.MaxValue - start ? long.MaxValue : start + end;
    }
}
