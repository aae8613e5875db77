namespace Concord.Benchmarks.Devices;

/// <summary>
/// CPU time all processes of the machine spent busy, from /proc/stat (Linux; 0 elsewhere). Minus
/// this process's own (<see cref="ProcessTimes"/>) it is what other processes took while a
/// benchmark ran: on a shared machine they lower the achieved rate and the measured peak, and not
/// by the same factor, so a share of the peak is only the machine's when they took next to nothing.
/// </summary>
public static class MachineTimes
{
    private const double TicksPerSecond = 100;   // USER_HZ, as for /proc/self/stat

    /// <summary>Busy seconds summed over all CPUs since boot: user, nice, system, irq, softirq (idle, iowait and steal left out).</summary>
    public static double BusySeconds()
    {
        if (!File.Exists("/proc/stat")) return 0;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal ...
        return new[] { 1, 2, 3, 6, 7 }.Sum(i => long.Parse(fields[i])) / TicksPerSecond;
    }

    /// <summary>One line on what other processes took between two readings.</summary>
    public static string OthersLine(double machineBusy, ProcessTimes own, TimeSpan wall)
    {
        double others = Math.Max(0, machineBusy - own.UserSeconds - own.KernelSeconds);
        return $"other processes used {others:F0} CPU-seconds in these {wall.TotalSeconds:F0} s " +
               $"({100 * others / Math.Max(1e-9, wall.TotalSeconds * Environment.ProcessorCount):F0} % of the machine's {Environment.ProcessorCount} cores)" +
               (others > 0.05 * wall.TotalSeconds * Environment.ProcessorCount ? ": the figures are lowered by them, read shares from a quieter run" : "");
    }
}
