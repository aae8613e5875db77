using System.Diagnostics;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Support;

/// <summary>The `dotnet` CLI in its own process (pack, build, msbuild), as a developer runs it.</summary>
public static class DotnetProcess
{
    /// <summary>Runs `dotnet <paramref name="args"/>` in <paramref name="directory"/>; exit code and stdout + stderr.</summary>
    public static (int Code, string Output) Run(string directory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The test host's MSBuild settings must not leak into the child build.
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH" }) start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(true); Assert.Fail($"dotnet {string.Join(' ', args)} did not finish in {timeout.TotalMinutes:F0} minutes"); }
        return (process.ExitCode, output.Result + error.Result);
    }
}
