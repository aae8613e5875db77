namespace Concord.Benchmarks.Devices;

/// <summary>
/// This process's CPU time in user and kernel mode and its minor page faults, from
/// /proc/self/stat (Linux; zeros elsewhere): the kernel's share shows what fresh allocations cost
/// (each new mapping is faulted in page by page), which no timer inside the process separates.
/// </summary>
public readonly record struct ProcessTimes(double UserSeconds, double KernelSeconds, long MinorFaults)
{
    // USER_HZ, the unit of utime and stime: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private const double TicksPerSecond = 100;

    public static ProcessTimes Now()
    {
        if (!File.Exists("/proc/self/stat")) return default;
        var text = File.ReadAllText("/proc/self/stat");
        // Fields after the command name (which may hold spaces) in parentheses: state is field 3.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcessTimes(long.Parse(fields[11]) / TicksPerSecond, long.Parse(fields[12]) / TicksPerSecond, long.Parse(fields[7]));
    }

    public static ProcessTimes operator -(ProcessTimes a, ProcessTimes b) =>
        new(a.UserSeconds - b.UserSeconds, a.KernelSeconds - b.KernelSeconds, a.MinorFaults - b.MinorFaults);
}
