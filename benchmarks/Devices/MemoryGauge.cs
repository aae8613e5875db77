namespace Concord.Benchmarks.Devices;

/// <summary>
/// Where a benchmark's peak memory comes from. libtorch's tensors are native, so BenchmarkDotNet's
/// managed-memory diagnoser never sees them; on a GPU they are not in host memory at all.
/// </summary>
public interface IMemoryGauge : IDisposable
{
    /// <summary>What is measured, in words a reader of the output needs (it differs by device).</summary>
    string Source { get; }

    /// <summary>Bytes in use now.</summary>
    long CurrentBytes();

    /// <summary>Starts a new peak: <see cref="PeakBytes"/> then reports the highest use from this moment on.</summary>
    void ResetPeak();

    /// <summary>The highest use since <see cref="ResetPeak"/>.</summary>
    long PeakBytes();
}

public static class MemoryGauge
{
    /// <summary>The peak memory source for a device: the process's resident high-water mark on cpu, device memory on cuda.</summary>
    public static IMemoryGauge For(string device)
    {
        var name = device.Trim().ToLowerInvariant();
        if (name == "cpu") return new HostHighWaterMark();
        if (DeviceName.CudaIndex(name) is int index) return new CudaDeviceMemory(index);
        throw new ArgumentException($"unknown benchmark device '{device}' (cpu, cuda or cuda:N)");
    }
}
