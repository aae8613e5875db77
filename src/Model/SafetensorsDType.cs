namespace Concord.Model;

/// <summary>The element types of the safetensors format that Concord reads and writes.</summary>
public enum SafetensorsDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool }

public static class SafetensorsDTypes
{
    public static int Size(this SafetensorsDType t) => t switch
    {
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.I16 => 2,
        _ => 1,
    };

    public static string Name(this SafetensorsDType t) => t == SafetensorsDType.Bool ? "BOOL" : t.ToString();

    public static bool TryParse(string name, out SafetensorsDType dtype)
    {
        switch (name)
        {
            case "F64": dtype = SafetensorsDType.F64; return true;
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "F16": dtype = SafetensorsDType.F16; return true;
            case "BF16": dtype = SafetensorsDType.BF16; return true;
            case "I64": dtype = SafetensorsDType.I64; return true;
            case "I32": dtype = SafetensorsDType.I32; return true;
            case "I16": dtype = SafetensorsDType.I16; return true;
            case "I8": dtype = SafetensorsDType.I8; return true;
            case "U8": dtype = SafetensorsDType.U8; return true;
            case "BOOL": dtype = SafetensorsDType.Bool; return true;
            default: dtype = default; return false;
        }
    }
}

/// <summary>One entry of a safetensors header: where a tensor's bytes lie relative to the data section.</summary>
public sealed record SafetensorsEntry(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
