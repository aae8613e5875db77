using Concord.Model.Store;

namespace Concord.Cli;

/// <summary>Download progress on one console line (plain lines when output is redirected).</summary>
public sealed class ConsoleProgress : IProgress<DownloadProgress>
{
    private DateTime _last = DateTime.MinValue;

    public void Report(DownloadProgress p)
    {
        bool done = p.Total is long t && p.Received >= t;
        if (!done && DateTime.UtcNow - _last < TimeSpan.FromSeconds(Console.IsOutputRedirected ? 5 : 0.2)) return;
        _last = DateTime.UtcNow;
        string amount = p.Total is long total
            ? $"{p.Received / 1048576.0,8:F1} / {total / 1048576.0:F1} MiB ({100.0 * p.Received / Math.Max(1, total):F0}%)"
            : $"{p.Received / 1048576.0,8:F1} MiB";
        if (Console.IsOutputRedirected) Console.WriteLine($"{p.File}: {amount}");
        else Console.Write($"\r{p.File}: {amount}   ");
    }

    public void Finish()
    {
        if (!Console.IsOutputRedirected) Console.WriteLine();
    }
}
