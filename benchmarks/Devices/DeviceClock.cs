using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Benchmarks.Devices;

/// <summary>
/// What a timing stop must wait for on a device. libtorch's CPU operations have finished when
/// they return; CUDA kernels are only queued, so a clock stopped without synchronising times the
/// launches, not the work.
/// </summary>
public interface IDeviceClock
{
    /// <summary>The device this clock waits for ("cpu", "cuda", "cuda:1").</summary>
    string Device { get; }

    /// <summary>Blocks until every operation queued on <see cref="Device"/> has finished.</summary>
    void Synchronize();
}

public static class DeviceClock
{
    /// <summary>The clock for a device as the benchmarks name it (CONCORD_BENCH_DEVICE: cpu, cuda, cuda:N).</summary>
    /// <param name="cudaSynchronize">Waits for one CUDA device (its index); torch.cuda.synchronize when null. Tests pass a recorder.</param>
    public static IDeviceClock For(string device, Action<int>? cudaSynchronize = null)
    {
        var name = device.Trim().ToLowerInvariant();
        if (name == "cpu") return new HostClock();
        if (DeviceName.CudaIndex(name) is int index) return new CudaClock(name, index, cudaSynchronize ?? SynchronizeCuda);
        throw new ArgumentException($"unknown benchmark device '{device}' (cpu, cuda or cuda:N)");
    }

    // torch.cuda.synchronize(device) is TorchSharp 0.107's binding of torch::cuda::synchronize:
    // it waits for every stream of that device.
    private static void SynchronizeCuda(int index) => cuda.synchronize(new TorchSharp.torch.Device(DeviceType.CUDA, index));
}

/// <summary>CPU: libtorch's CPU kernels run synchronously (on its own thread pool, joined before returning).</summary>
public sealed class HostClock : IDeviceClock
{
    public string Device => "cpu";
    public void Synchronize() { }
}

/// <summary>A CUDA device: waits for all its streams before the clock may stop.</summary>
public sealed class CudaClock(string device, int index, Action<int> synchronize) : IDeviceClock
{
    public string Device => device;
    public int Index => index;
    public void Synchronize() => synchronize(index);
}
