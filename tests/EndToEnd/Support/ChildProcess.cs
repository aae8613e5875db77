using System.Diagnostics;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Support;

/// <summary>A program in its own process with its output captured; the one way tests start and wait for one.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _out, _error;
    private readonly string _name;

    private ChildProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _name = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
        _process = Process.Start(start)!;
        // Read both pipes from the start: a child blocked on a full pipe would never exit.
        _out = _process.StandardOutput.ReadToEndAsync();
        _error = _process.StandardError.ReadToEndAsync();
    }

    public static ChildProcess Start(ProcessStartInfo start) => new(start);

    /// <summary>The child's process id (for signals).</summary>
    public int Id => _process.Id;

    /// <summary>Sends a signal the way a user or a scheduler does: `kill -TERM PID`.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Waits for the exit; a child still running after <paramref name="timeout"/> is killed and the test fails.</summary>
    public (int Code, string Out, string Error) Finish(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"{_name} did not finish in {timeout}");
        }
        return (_process.ExitCode, _out.Result, _error.Result);
    }

    public static (int Code, string Out, string Error) Run(ProcessStartInfo start, TimeSpan timeout)
    {
        using var child = Start(start);
        return child.Finish(timeout);
    }

    public void Dispose() => _process.Dispose();
}
