using System.Reflection;
using System.Runtime.InteropServices;

namespace Concord.Benchmarks.Devices;

/// <summary>
/// The few CUDA driver API calls the memory gauge needs. The driver library (libcuda.so.1,
/// nvcuda.dll) comes with the NVIDIA driver, wherever a GPU can run libtorch at all; nothing is
/// loaded until a CUDA gauge is read.
/// </summary>
internal static class CudaDriver
{
    private const string Library = "cuda";

    static CudaDriver() => NativeLibrary.SetDllImportResolver(typeof(CudaDriver).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name != Library ? IntPtr.Zero : NativeLibrary.Load(OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1", assembly, path);

    [DllImport(Library)] private static extern int cuInit(uint flags);
    [DllImport(Library)] private static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport(Library)] private static extern int cuDevicePrimaryCtxRetain(out IntPtr context, int device);
    [DllImport(Library)] private static extern int cuDevicePrimaryCtxRelease_v2(int device);
    [DllImport(Library)] private static extern int cuCtxPushCurrent_v2(IntPtr context);
    [DllImport(Library)] private static extern int cuCtxPopCurrent_v2(out IntPtr context);
    [DllImport(Library)] private static extern int cuMemGetInfo_v2(out nuint free, out nuint total);

    /// <summary>Bytes in use on the device (total − free), from the calling thread.</summary>
    public static long UsedBytes(int ordinal)
    {
        using var bound = BindPrimaryContext(ordinal);
        Check(cuMemGetInfo_v2(out var free, out var total), "cuMemGetInfo");
        return (long)(total - free);
    }

    /// <summary>
    /// Makes the device's primary context (the one libtorch's runtime calls use) current on this
    /// thread until disposed; the driver refuses memory queries without a current context.
    /// </summary>
    public static IDisposable BindPrimaryContext(int ordinal)
    {
        Check(cuInit(0), "cuInit");
        Check(cuDeviceGet(out int device, ordinal), "cuDeviceGet");
        Check(cuDevicePrimaryCtxRetain(out var context, device), "cuDevicePrimaryCtxRetain");
        Check(cuCtxPushCurrent_v2(context), "cuCtxPushCurrent");
        return new Binding(device);
    }

    private sealed class Binding(int device) : IDisposable
    {
        public void Dispose()
        {
            cuCtxPopCurrent_v2(out _);
            cuDevicePrimaryCtxRelease_v2(device);
        }
    }

    private static void Check(int result, string call)
    {
        if (result != 0) throw new InvalidOperationException($"CUDA driver: {call} failed with CUresult {result}");
    }
}
