using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concord.Model;

/// <summary>
/// Makes the CPU BLAS deterministic before it first runs. libtorch's MKL picks matrix kernels by the
/// memory alignment of their operands unless its conditional numerical reproducibility mode (CNR,
/// <c>MKL_CBWR</c>) is on, so two identical float32 runs differed in the 7th significant digit
/// (measured: 1,104 of 17,889 score rows on a tiny model, 4 runs in 5). With <c>MKL_CBWR=AUTO</c>
/// MKL keeps the CPU's own code path but fixes its reductions and scheduling: the same command, inputs,
/// thread count and CPU kind give the same bytes. MKL reads the variable once, at its first call, and
/// from the C environment (which .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not change on Unix), so the mode is set with libc's setenv by a module initializer: whoever
/// touches Concord.Model first (the CLI, a test assembly, a benchmark, a library user) has it on.
/// </summary>
public static class NumericalReproducibility
{
    /// <summary>MKL's own variable; a value the user set is kept (e.g. <c>AVX2</c> to match an AVX2 machine).</summary>
    public const string MklVariable = "MKL_CBWR";

    /// <summary>Concord's opt-out: <c>CONCORD_REPRODUCIBLE=0</c> leaves MKL free (faster on some CPUs, not reproducible).</summary>
    public const string OptOutVariable = "CONCORD_REPRODUCIBLE";

    /// <summary>The mode Concord asks for: the CPU's best branch, with deterministic reductions.</summary>
    public const string DefaultMode = "AUTO";

    private static readonly object Gate = new();
    private static string _setBy = "nobody";

    /// <summary>Who chose the BLAS mode: "concord", "environment" (MKL_CBWR was set), or "nobody" (opted out).</summary>
    public static string SetBy { get { lock (Gate) return _setBy; } }

#pragma warning disable CA2255 // A library's module initializer is the point: the mode must be set before any caller's first BLAS call.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLoad() => Ensure();

    /// <summary>Sets MKL_CBWR (once, before MKL's first call) unless the user set it or opted out. Cheap: no native library is loaded.</summary>
    public static void Ensure()
    {
        lock (Gate)
        {
            if (_setBy != "nobody") return;
            if (Environment.GetEnvironmentVariable(MklVariable) is { Length: > 0 }) { _setBy = "environment"; return; }
            if (Environment.GetEnvironmentVariable(OptOutVariable) is "0" or "false" or "off") return;
            // Only the C environment, which MKL reads: .NET's copy (what child processes inherit) stays
            // as the user left it, so a `concord` started from here sets its own mode and says so.
            if (OperatingSystem.IsWindows()) Environment.SetEnvironmentVariable(MklVariable, DefaultMode);   // the C runtime's environment there
            else if (NativeSetenv(MklVariable, DefaultMode, overwrite: 1) != 0) return;
            _setBy = "concord";
        }
    }

    /// <summary>
    /// The mode MKL is really in, read back from libtorch's MKL (so a mode that came too late, after
    /// MKL had started, is not claimed): e.g. "AUTO", "AVX2", "AVX512,STRICT"; "off" when CNR is off;
    /// null when the loaded libtorch carries no MKL (its BLAS then is not governed by MKL_CBWR).
    /// Loads libtorch if it is not yet loaded.
    /// </summary>
    public static string? EffectiveMode()
    {
        _ = TorchSharp.torch.get_num_threads();   // libtorch (with its MKL) is loaded from here on
        if (!TryGetCbwr(out var get)) return null;
        int settings = get(CbwrAll);
        if (settings <= 0) return "off";
        int branch = settings & ~CbwrStrict;
        string name = BranchNames.TryGetValue(branch, out var known) ? known : $"branch {branch}";
        if (branch == CbwrBranchOff) return "off";
        return (settings & CbwrStrict) != 0 ? name + ",STRICT" : name;
    }

    /// <summary>True when the BLAS is in a reproducible mode (any CNR branch); false when it is off or unknown.</summary>
    public static bool IsReproducible(string? mode) => mode is { Length: > 0 } && mode != "off";

    // mkl_cbwr.h: MKL_CBWR_ALL = ~0, MKL_CBWR_BRANCH_OFF = 1, MKL_CBWR_STRICT = 0x10000, and the branch values.
    private const int CbwrAll = ~0;
    private const int CbwrBranchOff = 1;
    private const int CbwrStrict = 0x10000;
    private static readonly Dictionary<int, string> BranchNames = new()
    {
        [2] = "AUTO", [3] = "COMPATIBLE", [4] = "SSE2", [6] = "SSSE3", [7] = "SSE4_1", [8] = "SSE4_2",
        [9] = "AVX", [10] = "AVX2", [11] = "AVX512_MIC", [12] = "AVX512", [13] = "AVX512_MIC_E1", [14] = "AVX512_E1",
    };

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CbwrGet(int option);

    // mkl_cbwr_get is not exported by libtorch; its service-layer implementation is, with the same signature.
    private static bool TryGetCbwr(out CbwrGet get)
    {
        get = null!;
        foreach (var name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll" })
            if (NativeLibrary.TryLoad(name, out var handle) && NativeLibrary.TryGetExport(handle, "mkl_serv_cbwr_get", out var address))
            {
                get = Marshal.GetDelegateForFunctionPointer<CbwrGet>(address);
                return true;
            }
        return false;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int NativeSetenv(string name, string value, int overwrite);
}
