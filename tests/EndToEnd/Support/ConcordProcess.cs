using System.Diagnostics;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Support;

/// <summary>The real `concord` program in its own process, as a user runs it.</summary>
public static class ConcordProcess
{
    public static (int Code, string Out, string Error) Run(params string[] args) => Run(TimeSpan.FromMinutes(2), args);

    public static (int Code, string Out, string Error) Run(TimeSpan timeout, params string[] args) => Run(timeout, null, args);

    public static (int Code, string Out, string Error) Run(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = StartInfo(args);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        return ChildProcess.Run(start, timeout);
    }

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        // Through env --default-signal=INT: a test run started as a background job (nohup … &) inherits
        // SIGINT as ignored, and .NET, like any Unix program, then leaves Ctrl-C ignored, so the Ctrl-C
        // tests would test the launcher instead of concord. env resets it and execs (same PID).
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "concord.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Runs and asserts one line on stderr starting "error: " and containing <paramref name="fragment"/>, with exit <paramref name="code"/>.</summary>
    public static void AssertOneLineError(string[] args, int code, string fragment)
    {
        var (exit, _, error) = Run(args);
        Assert.That(exit, Is.EqualTo(code), error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), error);
        Assert.That(lines[0], Does.StartWith("error: ").And.Contain(fragment));
    }
}
