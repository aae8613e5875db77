namespace Concord.Benchmarks.Devices;

/// <summary>Device names as the benchmarks spell them: "cpu", "cuda" (device 0) or "cuda:N".</summary>
public static class DeviceName
{
    /// <summary>The CUDA device index of a name, null when it names no CUDA device.</summary>
    public static int? CudaIndex(string device)
    {
        var name = device.Trim().ToLowerInvariant();
        if (name == "cuda") return 0;
        return name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), out int i) && i >= 0 ? i : null;
    }

    /// <summary>
    /// The kind of device a measurement ran on, "cpu" or "cuda" (any index): what baselines are keyed
    /// by, since a ratio measured on a GPU says nothing about the same ratio on a CPU.
    /// </summary>
    public static string Kind(string device) => CudaIndex(device) is not null ? "cuda" : device.Trim().ToLowerInvariant();
}
