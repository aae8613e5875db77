using System.Runtime.InteropServices;
using System.Text;

namespace Concord.Model;

/// <summary>An input file Concord refuses to read: a special file (FIFO, device, socket) or one larger than its kind allows (the CLI's exit 3).</summary>
public sealed class InputFileException(string message) : Exception(message);

/// <summary>
/// Every file Concord reads goes through here first (issue 31): it must be a regular file, and no larger
/// than what its kind can be. Without this a FIFO or a terminal hung the command in open() or read(),
/// <c>/dev/zero</c> or a 50 MB JSON file took the machine's memory, and an endless file was read forever.
/// Each refusal is one line naming the file and the limit. The limits are documented in the README.
/// </summary>
public static class InputFiles
{
    /// <summary>A Hugging Face GPT-2 config.json is under 2 KB; 64 KiB leaves room for any extra keys a hub config carries.</summary>
    public const long ConfigJsonBytes = 64 * 1024;

    /// <summary>
    /// training.json, eval.json and shards.json: their largest field is training.json's list of trained
    /// token ids, at most the 50,257 of GPT-2's vocabulary (about 300 KB); 4 MiB is ten times that.
    /// </summary>
    public const long RecordJsonBytes = 4 * 1024 * 1024;

    /// <summary>
    /// One unit of a run (a method on one kind for one batch). The largest of a bundled-model run, IG on its
    /// 2,048 neurons, is 0.46 MB (about 230 bytes a neuron); GPT-2 small's 36,864 neurons make about 8 MB and
    /// GPT-2 XL's 307,200 about 70 MB, so 1 GiB leaves room for larger batches and never holds a real unit back.
    /// </summary>
    public const long UnitFileBytes = 1L << 30;

    /// <summary>A task CSV or SVA verb list: the largest published dataset (sva.csv) is 1.2 MB; 256 MiB is two hundred times that.</summary>
    public const long TaskCsvBytes = 256L * 1024 * 1024;

    /// <summary>A word list of datasets/words: the project's are a few KB each.</summary>
    public const long WordListBytes = 16L * 1024 * 1024;

    /// <summary>
    /// What `concord diff` reads: scores.csv of a full GPT-2 small run with neurons is a few hundred MB
    /// (its parsed table takes several times that in memory); agreement.json and snapshots are far smaller.
    /// </summary>
    public const long DiffCsvBytes = 1L << 30;

    /// <summary>agreement.json, run.json or a .snap snapshot given to `concord diff`.</summary>
    public const long DiffJsonBytes = 256L * 1024 * 1024;

    /// <summary>Sizes as a reader says them ("64 KiB", "1 GiB", "12,345 bytes").</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes",
    };

    /// <summary>
    /// Refuses <paramref name="path"/> unless it is a regular file (symbolic links followed) of at most
    /// <paramref name="maxBytes"/>. <paramref name="what"/> names the kind ("a config.json") in the message.
    /// A missing file is left to the caller, which knows how to say that in its own terms.
    /// </summary>
    public static void Require(string path, long maxBytes, string what)
    {
        RequireRegular(path);
        long length = new FileInfo(path).Length;
        if (length > maxBytes) throw TooLarge(path, length, maxBytes, what);
    }

    /// <summary>Refuses a FIFO, a character or block device (/dev/zero, a terminal) or a socket before anything opens it.</summary>
    public static void RequireRegular(string path)
    {
        if (SpecialKind(path) is { } kind)
            throw new InputFileException($"{path}: is {kind}, not a regular file; Concord reads its inputs only from regular files (save the data to a file first)");
    }

    /// <summary>
    /// The whole file as UTF-8 text, refused when it is special or larger than <paramref name="maxBytes"/>.
    /// The read itself stops one byte past the limit, so a file that grows while it is read (or a /proc file
    /// that reports no size) cannot take more than the limit either.
    /// </summary>
    public static string ReadText(string path, long maxBytes, string what)
    {
        var bytes = ReadBytes(path, maxBytes, what);
        // As File.ReadAllText did: a UTF-8 byte order mark is not text.
        int start = bytes.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }

    /// <inheritdoc cref="ReadText"/>
    public static byte[] ReadBytes(string path, long maxBytes, string what)
    {
        Require(path, maxBytes, what);
        using var stream = File.OpenRead(path);
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes) throw TooLarge(path, buffer.Length, maxBytes, what, grew: true);
        }
        return buffer.ToArray();
    }

    private static InputFileException TooLarge(string path, long length, long maxBytes, string what, bool grew = false) =>
        new($"{path}: {(grew ? $"more than {Size(maxBytes)} (it grew while read)" : Size(length))}, larger than {what} can be (at most {Size(maxBytes)})");

    /// <summary>"a FIFO (named pipe)", "a character device", … for a special file; null for a regular file, a folder, a missing path or where the kind cannot be told.</summary>
    public static string? SpecialKind(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new byte[256];
        int result;
        try { result = statx(AtCurrentFolder, path, 0, StatxType, buffer); }
        // A libc without statx (before glibc 2.28): the kind cannot be told here, and the caller reads as before.
        catch (EntryPointNotFoundException) { return null; }
        if (result != 0) return null;
        int type = BitConverter.ToUInt16(buffer, 28) & 0xF000;
        return type switch
        {
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => null,
        };
    }

    // statx rather than stat: its struct has one layout on every Linux architecture (stx_mode at byte 28).
    private const int AtCurrentFolder = -100;
    private const uint StatxType = 0x1;

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, byte[] buffer);
}
