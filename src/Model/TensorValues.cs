using static TorchSharp.torch;

namespace Concord.Model;

public static class TensorValues
{
    /// <summary>A tensor's values as float64, in row-major order, copied to the CPU.</summary>
    public static double[] ToDoubles(this Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float64, CPU).contiguous();
        return cpu.data<double>().ToArray();
    }

    /// <summary><paramref name="times"/> stacked copies along the batch axis (dim 0): [times·b, ...].</summary>
    public static Tensor RepeatAlongBatch(this Tensor t, int times)
    {
        if (times == 1) return t.alias();
        var repeats = new long[t.dim()];
        Array.Fill(repeats, 1L);
        repeats[0] = times;
        return t.repeat(repeats);
    }
}
