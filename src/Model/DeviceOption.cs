using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Model;

public static class DeviceOption
{
    /// <summary>Whether the loaded libtorch was built with CUDA (the TorchBackend=cuda build), whatever the machine has.</summary>
    private static bool CudaCompiledIn()
    {
        try { return cuda.is_available() || File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cuda.so")); }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException) { return false; }
    }

    /// <summary>Parses "cpu", "cuda" or "cuda:N", failing clearly when libtorch has no CUDA.</summary>
    public static Device Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t.StartsWith("cuda", StringComparison.Ordinal))
        {
            // Checked before asking for CUDA: "cuda:-1" or "cuda:" is a typo, not a machine without a GPU.
            if (!System.Text.RegularExpressions.Regex.IsMatch(t, "^cuda(:[0-9]+)?$"))
                throw new SettingException("Device", $"'{text}' is not a device: expected cpu, cuda or cuda:N (N a GPU number, 0 or more)");
            if (!cuda.is_available())
                throw new ArgumentException($"device '{text}': no CUDA here (this build has {(CudaCompiledIn() ? "CUDA but no usable GPU or driver" : "the CPU libtorch")}); " +
                                            "build with -p:TorchBackend=cuda (README, \"GPU\") and run on a machine with an NVIDIA driver");
            return device(t);
        }
        throw new ArgumentException($"unknown device '{text}' (expected cpu, cuda or cuda:N)");
    }
}
