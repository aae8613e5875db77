using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Concord.Tests.Support;

/// <summary>
/// The tests' temporary folders. All of them lie below one root per test assembly and process,
/// <c>/tmp/concord-tests/&lt;project&gt;-&lt;pid&gt;-&lt;random&gt;/</c>, which <see cref="TempFolderCleanup"/> deletes once the
/// assembly's tests have finished; a root whose process is gone (a killed run) is deleted by the
/// next run. <c>CONCORD_KEEP_TEST_FOLDERS=1</c> keeps every folder, this run's and earlier ones', for
/// debugging (the root is printed at the end).
/// </summary>
public sealed partial class TempFolder : IDisposable
{
    public const string KeepVariable = "CONCORD_KEEP_TEST_FOLDERS";

    /// <summary>Where the roots of all runs lie.</summary>
    public static string Parent { get; } = Path.Combine(Path.GetTempPath(), "concord-tests");

    private static readonly string Project = typeof(TempFolder).Assembly.GetName().Name!.Replace("Concord.Tests.", "", StringComparison.Ordinal);
    private static readonly Lazy<TempFolder> RunRoot = new(() =>
        new TempFolder(Path.Combine(Parent, $"{Project}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}")));
    private static int _created;

    public static bool Keep => Environment.GetEnvironmentVariable(KeepVariable) == "1";

    /// <summary>This assembly's root (created on first use).</summary>
    public static string Root => RunRoot.Value.FullName;

    public string FullName { get; }

    private TempFolder(string path)
    {
        FullName = path;
        Directory.CreateDirectory(path);
    }

    /// <summary>A new empty folder below <see cref="Root"/>; it is deleted with the root when the assembly's tests have finished.</summary>
    public static string New(string name = "") => Create(name).FullName;

    /// <summary>A new empty folder below <see cref="Root"/> that <see cref="Dispose"/> deletes (and the root's clean-up, if not disposed).</summary>
    public static TempFolder Create(string name = "")
    {
        int number = Interlocked.Increment(ref _created);
        return new TempFolder(Path.Combine(Root, name.Length > 0 ? $"{name}-{number:D3}" : $"{number:D3}"));
    }

    /// <summary>Deletes the folder and everything in it, unless <see cref="KeepVariable"/> is set.</summary>
    public void Dispose()
    {
        if (!Keep) Delete(FullName);
    }

    /// <summary>Deletes this assembly's root if it was created (at the end of the run).</summary>
    internal static void DeleteRoot()
    {
        if (!RunRoot.IsValueCreated) return;
        if (Keep) TestContext.Progress.WriteLine($"{KeepVariable}=1: the test folders are kept in {Root}");
        else RunRoot.Value.Dispose();
    }

    /// <summary>Deletes the roots of earlier runs whose process no longer exists (killed before their clean-up ran).</summary>
    internal static void DeleteRootsOfEndedRuns()
    {
        if (Keep || !Directory.Exists(Parent)) return;
        foreach (var folder in Directory.GetDirectories(Parent))
        {
            var match = RootName().Match(Path.GetFileName(folder));
            if (!match.Success || (RunRoot.IsValueCreated && folder == Root)) continue;
            int pid = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            // Our own process id on another root of this project: an earlier process that had the same id.
            bool earlierOfOurs = pid == Environment.ProcessId && match.Groups[1].Value == Project;
            if (earlierOfOurs || (pid != Environment.ProcessId && !IsRunning(pid))) Delete(folder);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Delete(string folder)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A child process may still be closing a file in it: try again shortly, then say so (a folder left over never fails a test).
                if (attempt == 3)
                {
                    TestContext.Progress.WriteLine($"could not delete the test folder {folder}: {e.Message}");
                    return;
                }
                Thread.Sleep(500);
            }
        }
    }

    [GeneratedRegex(@"^([A-Za-z]+)-([0-9]+)-[0-9a-f]{8}$")]
    private static partial Regex RootName();
}
