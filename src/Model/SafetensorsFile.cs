using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Concord.Model;

/// <summary>
/// A validated view of a safetensors file. Everything that could make a later read go wrong
/// (header length, JSON, dtypes, shapes, offsets that overlap or run past the end) is checked
/// when the file is opened, so that reads never hand a bad range to native code. It shares the
/// model's namespace: the model loads through it, and it reads, writes and fails as every model
/// file does (<see cref="InputFiles"/>, <see cref="AtomicFile"/>, <see cref="ModelFileException"/>).
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>Headers larger than this are rejected as corrupt (the reference implementation uses 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public string Path { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    private readonly long _dataStart;

    /// <summary>The file's length as its header describes it: the 8-byte length, the header, and the data up to the last tensor's end.</summary>
    public long DescribedLength => _dataStart + (Entries.Count == 0 ? 0 : Entries.Values.Max(e => e.End));

    private SafetensorsFile(string path, Dictionary<string, SafetensorsEntry> entries, Dictionary<string, string> metadata, long dataStart)
    {
        Path = path;
        Entries = entries;
        Metadata = metadata;
        _dataStart = dataStart;
    }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new ModelFileException($"{path}: file not found");
        // A FIFO or a device would block the open below, or hand it endless bytes.
        InputFiles.RequireRegular(path);
        long fileLength = new FileInfo(path).Length;
        if (fileLength < 8) throw new ModelFileException($"{path}: truncated: {fileLength} bytes, shorter than the 8-byte header length");

        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new ModelFileException($"{path}: header length {headerLength} runs past the end of the file ({fileLength} bytes): truncated or not a safetensors file");
        if (headerLength > MaxHeaderBytes)
            throw new ModelFileException($"{path}: header length {headerLength} exceeds {MaxHeaderBytes} bytes");

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        // JSON text must be UTF-8: System.Text.Json checks that only when a string is read, where it throws no JsonException.
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            int at = 0;
            try { _ = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(header); }
            catch (System.Text.DecoderFallbackException e) { at = e.Index; }
            throw new ModelFileException($"{path}: header is not valid UTF-8 (byte {8 + at} of the file): not a safetensors file, or damaged");
        }

        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new ModelFileException($"{path}: header is not valid JSON ({e.Message})"); }

        var entries = new Dictionary<string, SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFileException($"{path}: header must be a JSON object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in prop.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries[prop.Name] = ParseEntry(path, prop.Name, prop.Value, dataLength);
            }
        }

        // Offsets must not overlap: two tensors sharing bytes is a corrupt (or malicious) file.
        SafetensorsEntry? previous = null;
        foreach (var e in entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (previous is not null && e.Begin < previous.End)
                throw new ModelFileException($"{path}: tensor '{e.Name}' (bytes {e.Begin}..{e.End}) overlaps tensor '{previous.Name}' (bytes {previous.Begin}..{previous.End})");
            previous = e;
        }
        return new SafetensorsFile(path, entries, metadata, dataStart);
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string Where() => $"{path}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object) throw new ModelFileException($"{Where()}: header entry is not an object");
        if (!value.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new ModelFileException($"{Where()}: missing dtype");
        if (!SafetensorsDTypes.TryParse(dt.GetString()!, out var dtype))
            throw new ModelFileException($"{Where()}: unknown dtype '{dt.GetString()}'");
        if (!value.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new ModelFileException($"{Where()}: missing shape");
        var shape = new List<long>();
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long n) || n < 0)
                throw new ModelFileException($"{Where()}: shape {sh.GetRawText()} is not a list of non-negative integers");
            shape.Add(n);
        }
        if (!value.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new ModelFileException($"{Where()}: data_offsets must be [begin, end]");
        if (!off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new ModelFileException($"{Where()}: data_offsets {off.GetRawText()} are not a valid range");
        if (end > dataLength)
            throw new ModelFileException($"{Where()}: data_offsets {off.GetRawText()} run past the end of the data ({dataLength} bytes): file truncated?");
        long elements;
        try { elements = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * dtype.Size()); }
        catch (OverflowException) { throw new ModelFileException($"{Where()}: shape {sh.GetRawText()} is too large"); }
        if (elements != end - begin)
            throw new ModelFileException($"{Where()}: shape {sh.GetRawText()} of {dtype.Name()} needs {elements} bytes but data_offsets give {end - begin}");
        return new SafetensorsEntry(name, dtype, shape.ToArray(), begin, end);
    }

    public SafetensorsEntry Entry(string name) =>
        Entries.TryGetValue(name, out var e) ? e : throw new ModelFileException($"{Path}: tensor '{name}' is missing");

    public byte[] ReadBytes(string name)
    {
        var e = Entry(name);
        long count = e.End - e.Begin;
        if (count > Array.MaxLength) throw new ModelFileException($"{Path}: tensor '{name}' is larger than {Array.MaxLength} bytes");
        var bytes = new byte[count];
        using var stream = File.OpenRead(Path);
        stream.Position = _dataStart + e.Begin;
        try { stream.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw new ModelFileException($"{Path}: tensor '{name}': file ended early (changed while reading?)"); }
        return bytes;
    }

    /// <summary>Reads any floating-point tensor as float32 (F16 and BF16 are widened exactly).</summary>
    public float[] ReadSingles(string name)
    {
        var e = Entry(name);
        var bytes = ReadBytes(name);
        var result = new float[e.ElementCount];
        switch (e.DType)
        {
            case SafetensorsDType.F32:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(result);
                break;
            case SafetensorsDType.F64:
                var doubles = MemoryMarshal.Cast<byte, double>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = (float)doubles[i];
                break;
            case SafetensorsDType.F16:
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = (float)halves[i];
                break;
            case SafetensorsDType.BF16:
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                break;
            default:
                throw new ModelFileException($"{Path}: tensor '{name}' has dtype {e.DType.Name()}, expected a floating-point type");
        }
        return result;
    }

    /// <summary>Reads any floating-point tensor as float64 (golden values are stored in F64).</summary>
    public double[] ReadDoubles(string name)
    {
        var e = Entry(name);
        if (e.DType == SafetensorsDType.F64) return MemoryMarshal.Cast<byte, double>(ReadBytes(name)).ToArray();
        return Array.ConvertAll(ReadSingles(name), f => (double)f);
    }

    public long[] ReadInt64s(string name)
    {
        var e = Entry(name);
        var bytes = ReadBytes(name);
        return e.DType switch
        {
            SafetensorsDType.I64 => MemoryMarshal.Cast<byte, long>(bytes).ToArray(),
            SafetensorsDType.I32 => Array.ConvertAll(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), i => (long)i),
            _ => throw new ModelFileException($"{Path}: tensor '{name}' has dtype {e.DType.Name()}, expected an integer type"),
        };
    }

    /// <summary>Checks that a tensor exists with the expected shape and returns it as float32.</summary>
    public float[] ReadSingles(string name, params long[] expectedShape)
    {
        var e = Entry(name);
        if (!e.Shape.SequenceEqual(expectedShape))
            throw new ModelFileException($"{Path}: tensor '{name}' has shape {e.ShapeText}, expected [{string.Join(", ", expectedShape)}]");
        return ReadSingles(name);
    }
}
