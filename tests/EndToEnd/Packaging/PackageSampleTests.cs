using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Concord.Tasks;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Packaging;

/// <summary>
/// The libraries as a consumer gets them: `dotnet pack` of Concord.Model, Concord.Tasks,
/// Concord.Methods and Concord.Studies into a folder feed, and samples/CustomTask — a program outside
/// the solution with its own task (data file, row parser, metric) run through the library's Study,
/// writing report.md without the CLI — restored from that feed, built and run on the bundled model.
/// </summary>
[TestFixture, NonParallelizable]
public class PackageSampleTests
{
    private static readonly string[] Packages = ["Concord.Model", "Concord.Tasks", "Concord.Methods", "Concord.Studies"];

    private string _work = "";
    // A version no earlier run used, so NuGet's global cache cannot hand back stale packages.
    private readonly string _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    private string Feed => Path.Combine(_work, "feed");

    [OneTimeSetUp]
    public void PackTheLibraries()
    {
        _work = TempFolder.New("packages");
        foreach (var package in Packages)
        {
            // Built into a separate artifacts folder: the solution's own bin/obj stay as they are.
            var project = Path.Combine(ProjectPaths.Root, "src", package["Concord.".Length..], package + ".csproj");
            Dotnet(ProjectPaths.Root, TimeSpan.FromMinutes(5), "pack", project, "-c", "Release", "-o", Feed,
                "--artifacts-path", Path.Combine(_work, "artifacts"), $"-p:Version={_version}", "--nologo", "-v", "q");
        }
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (_work != "") Directory.Delete(_work, recursive: true);
        // Restore copied this run's packages into the global cache; they are of no use to anyone after it.
        foreach (var package in Packages)
        {
            var folder = Path.Combine(NuGetCache, package.ToLowerInvariant(), _version);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void EachPackageCarriesItsMetadataReadmeLicenseXmlDocsAndSymbols()
    {
        foreach (var package in Packages)
        {
            var path = Path.Combine(Feed, $"{package}.{_version}.nupkg");
            Assert.That(path, Does.Exist);
            Assert.That(Path.ChangeExtension(path, ".snupkg"), Does.Exist, $"{package}: symbols package");
            using var zip = ZipFile.OpenRead(path);
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.That(entries, Does.Contain("README.md").And.Contain("LICENSE"), package);
            Assert.That(entries, Does.Contain($"lib/net10.0/{package}.dll").And.Contain($"lib/net10.0/{package}.xml"), $"{package}: assembly and XML docs");

            XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
            using var nuspec = zip.GetEntry($"{package}.nuspec")!.Open();
            var metadata = XDocument.Load(nuspec).Root!.Element(ns + "metadata")!;
            Assert.That(metadata.Element(ns + "description")?.Value, Is.Not.Empty.And.Length.GreaterThan(40), package);
            Assert.That(metadata.Element(ns + "license")?.Value, Is.EqualTo("MIT"), package);
            Assert.That(metadata.Element(ns + "readme")?.Value, Is.EqualTo("README.md"), package);
            var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
            Assert.That(dependencies, Does.Contain("TorchSharp"), package);
            Assert.That(dependencies, Has.None.StartsWith("libtorch").And.None.StartsWith("TorchSharp-"),
                $"{package}: the native backend is the consumer's choice, not a dependency");
        }
        using var model = ZipFile.OpenRead(Path.Combine(Feed, $"Concord.Model.{_version}.nupkg"));
        Assert.That(model.Entries.Select(e => e.FullName), Does.Contain("buildTransitive/Concord.Model.targets"), "the Debian 12 fix travels with Concord.Model");
    }

    [Test]
    public void TheCustomTaskSampleBuildsAgainstThePackagesAndComputesApAndIgWithAgreement()
    {
        var sample = Path.Combine(_work, "CustomTask");
        Directory.CreateDirectory(sample);
        foreach (var file in Directory.GetFiles(Path.Combine(ProjectPaths.Root, "samples", "CustomTask")))
            File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
        // The sample's own NuGet.config points at the repository's artifacts folder; here the feed is this run's.
        File.WriteAllText(Path.Combine(sample, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="concord-test" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        Dotnet(sample, TimeSpan.FromMinutes(5), "build", "-c", "Release", $"-p:ConcordVersion={_version}", "--nologo", "-v", "q");

        var output = Dotnet(sample, TimeSpan.FromMinutes(3), Path.Combine(sample, "bin", "Release", "net10.0", "CustomTask.dll"), TestModels.TaskModelFolder);
        Assert.That(Regex.Matches(output, @"^prompt \d: .* clean (-?[\d.]+), corrupted", RegexOptions.Multiline), Has.Count.EqualTo(4), output);
        foreach (Match m in Regex.Matches(output, @"^prompt \d: .* clean (-?[\d.]+), corrupted (-?[\d.]+)", RegexOptions.Multiline))
            Assert.That(double.Parse(m.Groups[2].Value), Is.LessThan(double.Parse(m.Groups[1].Value)), $"the corruption lowers the metric: {m.Value}");
        // float32, 32 Gauss–Legendre nodes: completeness to well under 0.1 % of each prompt's effect.
        var completeness = Regex.Matches(output, @"IG completeness error at most ([\d.E+-]+) of");
        Assert.That(completeness, Has.Count.EqualTo(2), output);
        foreach (Match m in completeness) Assert.That(double.Parse(m.Groups[1].Value), Is.LessThan(1e-3), output);
        Assert.That(Regex.Matches(output, @"IG↔AP: Pearson r median (-?[\d.]+)"), Has.Count.EqualTo(2), output);
        // The study's every output, through Concord.Studies alone.
        var report = Regex.Match(output, @"^report: (.*)$", RegexOptions.Multiline);
        Assert.That(report.Success, Is.True, output);
        Assert.That(File.ReadAllText(report.Groups[1].Value.Trim()), Does.Contain("| receiver | head |"));
        foreach (var file in new[] { "scores.csv", "agreement.json" })
            Assert.That(Path.Combine(Path.GetDirectoryName(report.Groups[1].Value.Trim())!, "receiver", file), Does.Exist);

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            // The consumer's copy of TorchSharp's glue is patched (its GLIBCXX requirement marked weak), NuGet's cache copy untouched.
            var built = File.ReadAllBytes(Directory.GetFiles(Path.Combine(sample, "bin"), "libLibTorchSharp.so", SearchOption.AllDirectories).Single());
            var cached = Directory.GetFiles(Path.Combine(NuGetCache, "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories)
                .Select(File.ReadAllBytes).Where(b => b.Length == built.Length).ToList();
            Assert.That(cached, Is.Not.Empty, "TorchSharp's native glue in the NuGet cache");
            Assert.That(cached, Has.None.EqualTo(built), "the consumer's output holds the patched copy");
        }
    }

    private static string NuGetCache => DotnetProcess.NuGetCache;

    private static string Dotnet(string directory, TimeSpan timeout, params string[] args)
    {
        var (code, output) = DotnetProcess.Run(directory, timeout, args);
        Assert.That(code, Is.Zero, $"dotnet {string.Join(' ', args)}:\n{output}");
        return output;
    }
}
