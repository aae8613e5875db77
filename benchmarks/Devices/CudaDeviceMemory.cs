namespace Concord.Benchmarks.Devices;

/// <summary>
/// Device memory of one CUDA device, the honest substitute for torch.cuda.max_memory_allocated:
/// TorchSharp 0.107 binds no statistics of libtorch's CUDA caching allocator (its native library
/// exports only THSTorchCuda_is_available, _device_count, _synchronize and the seeds), so this
/// samples the driver's used memory (total − free, cuMemGetInfo) on a background thread.
/// The caching allocator keeps the segments it has reserved until empty_cache, which TorchSharp
/// 0.107 does not bind either, so the peak is libtorch's peak *reserved* memory: at least the
/// peak held by tensors, plus the cache's fragmentation. It is device-wide: another process on
/// the same GPU would be counted too.
/// </summary>
public sealed class CudaDeviceMemory(int index) : IMemoryGauge
{
    private Thread? _sampler;
    private volatile bool _stop;
    private long _peak;

    public int Index => index;

    public string Source => $"CUDA device {index} memory in use (driver cuMemGetInfo, sampled every ms): libtorch's reserved cache included, other processes on the GPU too";

    public long CurrentBytes() => CudaDriver.UsedBytes(index);

    public void ResetPeak()
    {
        StopSampler();
        Interlocked.Exchange(ref _peak, CurrentBytes());
        _stop = false;
        // Kernels run asynchronously to the host, so the peak can fall between two calls of the
        // host code: sample it from a thread of its own.
        _sampler = new Thread(() =>
        {
            using var bound = CudaDriver.BindPrimaryContext(index);
            while (!_stop)
            {
                Raise(CudaDriver.UsedBytes(index));
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "cuda memory sampler" };
        _sampler.Start();
    }

    public long PeakBytes()
    {
        Raise(CurrentBytes());
        return Interlocked.Read(ref _peak);
    }

    private void Raise(long used)
    {
        long seen;
        while (used > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, used, seen) != seen) { }
    }

    private void StopSampler()
    {
        _stop = true;
        _sampler?.Join();
        _sampler = null;
    }

    public void Dispose() => StopSampler();
}
