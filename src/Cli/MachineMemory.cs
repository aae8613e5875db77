using System.Globalization;

namespace Concord.Cli;

/// <summary>How much memory this machine can give a new allocation now, for checks made before allocating.</summary>
public static class MachineMemory
{
    /// <summary>MemAvailable on Linux (what the kernel can hand out without swapping); elsewhere what .NET sees as the machine's (or container's) limit.</summary>
    public static long AvailableBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib))
                    return kib * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>"1.9 GB", "310 MB": sizes in the user's terms (powers of 1000, as disks are sold).</summary>
    public static string Describe(double bytes) => bytes switch
    {
        >= 1e12 => $"{bytes / 1e12:0.#} TB",
        >= 1e9 => $"{bytes / 1e9:0.#} GB",
        >= 1e6 => $"{bytes / 1e6:0.#} MB",
        _ => $"{bytes / 1e3:0.#} kB",
    };
}
