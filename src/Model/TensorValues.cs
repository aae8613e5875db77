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
}
