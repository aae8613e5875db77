namespace Concord.Benchmarks.Devices;

/// <summary>
/// Host memory of this process: resident set (VmRSS) and its high-water mark (VmHWM) from
/// /proc/self/status. Writing "5" to /proc/self/clear_refs (Linux ≥ 4.0) resets the mark to the
/// current resident size, so the peak is that of the measured run, not of the model's set-up.
/// </summary>
public sealed class HostHighWaterMark : IMemoryGauge
{
    private bool _resetRefused;

    public string Source => _resetRefused
        ? "host resident high-water mark (VmHWM) since the process started: /proc/self/clear_refs refused the reset"
        : "host resident high-water mark (VmHWM, /proc/self/status)";

    public long CurrentBytes() => Field("VmRSS");

    public void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _resetRefused = true; }
    }

    public long PeakBytes() => Field("VmHWM");

    /// <summary>A /proc/self/status field in bytes (0 where there is no /proc: not Linux).</summary>
    private static long Field(string name)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
        // "VmHWM:\t 123456 kB": the kernel pads the number to 8 columns after the tab, so from 10 GB on no space separates it from the tab.
        return line is null ? 0 : long.Parse(line[(name.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public void Dispose() { }
}
