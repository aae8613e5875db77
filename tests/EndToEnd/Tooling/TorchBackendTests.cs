using System.Text.Json;
using Concord.Tasks;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Tooling;

/// <summary>
/// The GPU build switch as MSBuild evaluates it. The CUDA packages cannot be restored on this
/// CPU-only machine, so the test reads the package references each setting produces instead of
/// building with them.
/// </summary>
[TestFixture]
public class TorchBackendTests
{
    private static (int Code, string Output) MsBuild(params string[] arguments) =>
        DotnetProcess.Run(ProjectPaths.Root, TimeSpan.FromMinutes(2), ["msbuild", Path.Combine("src", "Model", "Concord.Model.csproj"), "-nologo", .. arguments]);

    private static List<string> PackageReferences(params string[] properties)
    {
        var (code, output) = MsBuild(["-getItem:PackageReference", .. properties]);
        Assert.That(code, Is.Zero, output);
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!).ToList();
    }

    [Test]
    public void TheDefaultBuildUsesTheCpuLibtorch()
    {
        var references = PackageReferences();
        Assert.That(references, Does.Contain("TorchSharp"));
        Assert.That(references, Has.Some.Matches<string>(r => r is "libtorch-cpu-linux-x64" or "TorchSharp-cpu"));
        Assert.That(references, Has.None.Contains("cuda"));
    }

    [Test]
    public void TheCudaSwitchReplacesTheCpuLibtorchWithTheCudaOne()
    {
        var references = PackageReferences("-p:TorchBackend=cuda");
        Assert.That(references, Does.Contain("TorchSharp"));
        Assert.That(references, Has.One.Matches<string>(r => r is "TorchSharp-cuda-linux" or "TorchSharp-cuda-windows"));
        Assert.That(references, Has.None.Matches<string>(r => r is "libtorch-cpu-linux-x64" or "TorchSharp-cpu"));
    }

    [Test]
    public void AnUnknownBackendIsABuildError()
    {
        var (code, output) = MsBuild("-t:CheckTorchBackend", "-p:TorchBackend=rocm");
        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Does.Contain("TorchBackend 'rocm' is not known: use cpu (the default) or cuda"));
    }

    [Test]
    public void CudaWithoutTheCudaBuildSaysHowToGetIt() =>
        ConcordProcess.AssertOneLineError(["run", "--model", TestModels.TinyFolder, "--device", "cuda", "--out", TempFolder.New()], 2,
            "build with -p:TorchBackend=cuda");
}
