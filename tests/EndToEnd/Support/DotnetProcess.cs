using System.Diagnostics;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Support;

/// <summary>The `dotnet` CLI in its own process (pack, build, msbuild), as a developer runs it.</summary>
public static class DotnetProcess
{
    /// <summary>Runs `dotnet <paramref name="args"/>` in <paramref name="directory"/>; exit code and stdout + stderr.</summary>
    public static (int Code, string Output) Run(string directory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The test host's MSBuild settings must not leak into the child build.
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH" }) start.Environment.Remove(name);
        var (code, output, error) = ChildProcess.Run(start, timeout);
        return (code, output + error);
    }

    /// <summary>NuGet's global packages folder, where restore puts (and tests clean up) the packages a test packed.</summary>
    public static string NuGetCache => Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
