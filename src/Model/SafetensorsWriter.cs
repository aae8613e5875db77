using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Concord.Model;

/// <summary>Writes safetensors files (tests and tools create small models and golden files with it).</summary>
public sealed class SafetensorsWriter
{
    private readonly List<(string Name, SafetensorsDType DType, long[] Shape, byte[] Data)> _tensors = new();
    private readonly Dictionary<string, string> _metadata = new();
    // A set, not a scan of _tensors: a model of thousands of layers adds tens of thousands of tensors, and the scan made that quadratic (minutes).
    private readonly HashSet<string> _names = new();

    public SafetensorsWriter Add(string name, SafetensorsDType dtype, long[] shape, byte[] data)
    {
        long expected = shape.Aggregate(1L, (a, b) => a * b) * dtype.Size();
        if (data.Length != expected)
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype.Name()} needs {expected} bytes, got {data.Length}");
        if (!_names.Add(name)) throw new ArgumentException($"tensor '{name}' added twice");
        _tensors.Add((name, dtype, shape, data));
        return this;
    }

    public SafetensorsWriter Add(string name, long[] shape, float[] values) =>
        Add(name, SafetensorsDType.F32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public SafetensorsWriter Add(string name, long[] shape, double[] values) =>
        Add(name, SafetensorsDType.F64, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public SafetensorsWriter Add(string name, long[] shape, long[] values) =>
        Add(name, SafetensorsDType.I64, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>Stores float32 values as F16 or BF16 (round to nearest even), to test loading of half-precision checkpoints.</summary>
    public SafetensorsWriter AddHalf(string name, long[] shape, float[] values, SafetensorsDType dtype)
    {
        var bits = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = dtype switch
            {
                SafetensorsDType.F16 => BitConverter.HalfToUInt16Bits((Half)values[i]),
                SafetensorsDType.BF16 => ToBFloat16(values[i]),
                _ => throw new ArgumentException($"{dtype} is not a half-precision type"),
            };
        }
        return Add(name, dtype, shape, MemoryMarshal.AsBytes(bits.AsSpan()).ToArray());
    }

    private static ushort ToBFloat16(float f)
    {
        uint u = BitConverter.SingleToUInt32Bits(f);
        uint roundingBias = 0x7FFF + ((u >> 16) & 1);
        return (ushort)((u + roundingBias) >> 16);
    }

    public SafetensorsWriter Metadata(string key, string value)
    {
        _metadata[key] = value;
        return this;
    }

    public void WriteTo(Stream stream)
    {
        var header = new JsonObject();
        if (_metadata.Count > 0)
        {
            var meta = new JsonObject();
            foreach (var (k, v) in _metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var t in _tensors)
        {
            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.DType.Name(),
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.Length),
            };
            offset += t.Data.Length;
        }
        var json = header.ToJsonString();
        // Pad the header with spaces to a multiple of 8 so the data section is aligned, as the reference writer does.
        json = json.PadRight((Encoding.UTF8.GetByteCount(json) + 7) / 8 * 8 - (Encoding.UTF8.GetByteCount(json) - json.Length));
        var headerBytes = Encoding.UTF8.GetBytes(json);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
        stream.Write(length);
        stream.Write(headerBytes);
        foreach (var t in _tensors) stream.Write(t.Data);
    }

    /// <summary>Writes atomically: a reader never sees a half-written file.</summary>
    public void Save(string path)
    {
        AtomicFile.Write(path, WriteTo);
    }
}
