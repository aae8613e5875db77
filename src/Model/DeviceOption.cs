using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Model;

public static class DeviceOption
{
    /// <summary>Parses "cpu", "cuda" or "cuda:N", failing clearly when libtorch has no CUDA.</summary>
    public static Device Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new ArgumentException($"device '{text}' requested but this libtorch has no CUDA (install TorchSharp-cuda-* and a CUDA driver)");
            return device(t);
        }
        throw new ArgumentException($"unknown device '{text}' (expected cpu, cuda or cuda:N)");
    }
}
