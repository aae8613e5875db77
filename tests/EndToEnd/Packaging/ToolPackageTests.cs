using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using Concord.Tasks;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Packaging;

/// <summary>
/// `concord` as a .NET user installs command-line tools: `dotnet pack src/Cli` into a folder feed,
/// `dotnet tool install --tool-path` from it, then `concord --version` and a tiny run from a folder
/// outside any clone, on the task model the package carries. Slow (a separate build, publish and a
/// ~200 MB package with libtorch), so one test.
/// </summary>
[TestFixture, NonParallelizable]
public class ToolPackageTests
{
    private const string PackageId = "Concord.Cli";

    [Test]
    public void TheToolPackageInstallsAndRunsFromAnywhereWithTheBundledModelAndTheDebianFix()
    {
        var work = TempFolder.New("tool");
        // A version no earlier run used, so NuGet's caches cannot hand back a stale package.
        var version = $"0.1.0-tool.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var feed = Path.Combine(work, "feed");
        try
        {
            // Built into a separate artifacts folder: the solution's own bin/obj stay as they are.
            Dotnet(ProjectPaths.Root, TimeSpan.FromMinutes(15), "pack", Path.Combine(ProjectPaths.Root, "src", "Cli"), "-c", "Release", "-o", feed,
                "--artifacts-path", Path.Combine(work, "artifacts"), $"-p:Version={version}", "--nologo", "-v", "q");

            var package = Path.Combine(feed, $"{PackageId}.{version}.nupkg");
            Assert.That(package, Does.Exist);
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                const string tool = "tools/net10.0/any/";
                Assert.That(entries, Does.Contain(tool + "concord.dll").And.Contain(tool + "DotnetToolSettings.xml"));
                using (var settings = new StreamReader(zip.GetEntry(tool + "DotnetToolSettings.xml")!.Open()))
                    Assert.That(settings.ReadToEnd(), Does.Contain("Command Name=\"concord\""), "the command is concord");
                Assert.That(entries, Does.Contain(tool + "models/concord-tasks-small/model.safetensors").And.Contain(tool + "models/concord-tasks-small/config.json"),
                    "the bundled task model travels with the tool");
                Assert.That(entries, Does.Contain(tool + "datasets/ioi.csv").And.Contain(tool + "datasets/sva_verbs.csv"), "so do the datasets");
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.OSArchitecture == Architecture.X64)
                {
                    Assert.That(entries, Does.Contain(tool + "runtimes/linux-x64/native/libtorch_cpu.so"), "libtorch is published into the tool");
                    // TorchSharp's glue in the package is the patched copy (its GLIBCXX requirement marked weak), NuGet's cache copy untouched.
                    var packed = ReadAll(zip.GetEntry(tool + "runtimes/linux-x64/native/libLibTorchSharp.so")!);
                    var cached = Directory.GetFiles(Path.Combine(NuGetCache, "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories)
                        .Where(p => p.Contains("linux-x64", StringComparison.Ordinal)).Select(File.ReadAllBytes).Where(b => b.Length == packed.Length).ToList();
                    Assert.That(cached, Is.Not.Empty, "TorchSharp's native glue in the NuGet cache");
                    Assert.That(cached, Has.None.EqualTo(packed), "the tool carries the Debian 12 fix");
                }
            }

            var toolPath = Path.Combine(work, "tools");
            Dotnet(work, TimeSpan.FromMinutes(5), "tool", "install", "--tool-path", toolPath, "--add-source", feed, PackageId, "--version", version);
            var concord = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "concord.exe" : "concord");
            Assert.That(concord, Does.Exist);

            // A folder outside any clone, and no CONCORD_HOME: what the package carries is all there is.
            var elsewhere = Path.Combine(work, "elsewhere");
            Directory.CreateDirectory(elsewhere);
            var (code, output, error) = Tool(concord, elsewhere, "--version");
            Assert.That(code, Is.Zero, error);
            Assert.That(output.Trim(), Does.StartWith(version));

            (code, output, error) = Tool(concord, elsewhere, "run", "--task", "ioi", "--model", "concord-tasks-small", "--examples", "2", "--steps", "4",
                "--sweep", "none", "--verify", "none", "--components", "heads", "--out", "results");
            Assert.That(code, Is.Zero, output + error);
            Assert.That(Path.Combine(elsewhere, "results", "ioi", "scores.csv"), Does.Exist);
            Assert.That(Path.Combine(elsewhere, "results", "ioi", "agreement.json"), Does.Exist);
            using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(elsewhere, "results", "run.json")));
            var model = run.RootElement.GetProperty("model");
            Assert.That(model.GetProperty("name").GetString(), Is.EqualTo("concord-tasks-small"));
            Assert.That(model.GetProperty("folder").GetString(), Does.StartWith(toolPath), "the model the tool carries, not a clone's");
        }
        finally
        {
            // Restore may have copied this run's package into the global cache; it is of no use after the test.
            var cachedPackage = Path.Combine(NuGetCache, PackageId.ToLowerInvariant(), version);
            if (Directory.Exists(cachedPackage)) Directory.Delete(cachedPackage, recursive: true);
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static (int Code, string Out, string Error) Tool(string concord, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(concord) { WorkingDirectory = directory };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("CONCORD_HOME");
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH" }) start.Environment.Remove(name);
        return ChildProcess.Run(start, TimeSpan.FromMinutes(3));
    }

    private static string NuGetCache => DotnetProcess.NuGetCache;

    private static void Dotnet(string directory, TimeSpan timeout, params string[] args)
    {
        var (code, output) = DotnetProcess.Run(directory, timeout, args);
        Assert.That(code, Is.Zero, $"dotnet {string.Join(' ', args)}:\n{output}");
    }
}
