using System.Buffers.Binary;
using System.Text;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust.Generated;

/// <summary>
/// The contract violations the generated suites found, each pinned as written so that a change of seed or
/// generator cannot lose it: the exact line the program now gives.
/// </summary>
[TestFixture, NonParallelizable]
public class FoundViolationsTests
{
    private static InProcessConcord.Result Run(params string[] args) => InProcessConcord.Run(args, TempFolder.New("found"), TimeSpan.FromMinutes(1));

    private static void AssertLine(InProcessConcord.Result result, int code, string line)
    {
        Assert.That(result.Code, Is.EqualTo(code), result.Error);
        Assert.That(result.Error.TrimEnd('\n').Split('\n'), Is.EqualTo(new[] { line }));
    }

    [TestCase("--data", " ", "error: --data ' ': no value given (see concord run --help)")]
    [TestCase("--rule", "\t", "error: --rule '\\t': no value given (see concord run --help)")]
    [TestCase("--out", "", "error: --out '': no value given (see concord run --help)")]
    public void ABlankValueIsRefusedNamingItsOption(string option, string value, string line) =>
        AssertLine(Run("run", "--model", TestModels.TinyFolder, "--task", "ioi", option, value), 2, line);

    [Test]
    public void ABlankDiffArgumentIsNamed() =>
        AssertLine(Run("diff", "", "x"), 2, "error: <old> '': no value given (see concord diff --help)");

    [Test]
    public void AnUnknownRuleOrCorruptionNamesItsOption()
    {
        Assert.That(Run("run", "--model", TestModels.TinyFolder, "--task", "ioi", "--rule", "simpson", "--steps", "4", "--out", Path.Combine(TempFolder.New(), "o")).Error,
            Does.StartWith("error: --rule: unknown quadrature rule 'simpson'"));
        Assert.That(Run("datasets", "validate", "--task", "ioi", "--ioi-corruption", "x").Error, Does.StartWith("error: --ioi-corruption: unknown IOI corruption 'x'"));
    }

    [Test]
    public void ALineBreakInAValueStaysOnOneLine() =>
        AssertLine(Run("run", "--task", "ioi\nsva"), 2, Run("run", "--task", "ioi\nsva").Error.TrimEnd('\n'));

    [Test]
    public void ALineBreakInAValueIsShownEscaped()
    {
        var result = Run("run", "--model", TestModels.TinyFolder, "--task", "a\nb", "--out", Path.Combine(TempFolder.New(), "o"));
        Assert.That(result.Code, Is.EqualTo(2));
        Assert.That(result.Error.TrimEnd('\n'), Does.Not.Contain("\n").And.Contain("a\\nb"));
    }

    [Test]
    public void ACacheTheVariableChoseIsSaidOfTheVariable()
    {
        var cache = TempFolder.New("cache");
        var result = InProcessConcord.Run(["model", "info", "gpt2"], TempFolder.New(), TimeSpan.FromMinutes(1), new Dictionary<string, string?> { ["CONCORD_MODEL_CACHE"] = cache });
        Assert.That(result.Code, Is.EqualTo(3));
        Assert.That(result.Error, Does.Contain($"not in the cache (CONCORD_MODEL_CACHE: {Path.Combine(cache, "gpt2")})"));
    }

    [Test]
    public void ASafetensorsHeaderThatIsNotUtf8IsNamed()
    {
        var model = TempFolder.New("model");
        File.Copy(Path.Combine(TestModels.TinyFolder, "config.json"), Path.Combine(model, "config.json"));
        var bytes = File.ReadAllBytes(Path.Combine(TestModels.TinyFolder, "model.safetensors"));
        long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        // Inside the first tensor name: still well-formed JSON, no longer UTF-8.
        int at = Encoding.UTF8.GetString(bytes, 8, (int)length).IndexOf('"', StringComparison.Ordinal) + 9;
        bytes[at] = 0xFF;
        File.WriteAllBytes(Path.Combine(model, "model.safetensors"), bytes);
        AssertLine(Run("model", "info", model), 3, $"error: {Path.Combine(model, "model.safetensors")}: header is not valid UTF-8 (byte {at} of the file): not a safetensors file, or damaged");
    }
}
