using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// The environment variables Concord reads, set to what they cannot be: one line naming the variable
/// and what it should be, exit 2 (bad usage), and no folder created. No case connects anywhere: a bad
/// address is refused before the first request.
/// </summary>
[TestFixture]
public class EnvironmentVariableTests
{
    private static void AssertRefusedNamingTheVariable(string variable, string value, string fragment, params string[] args)
    {
        var (exit, _, error) = ConcordProcess.Run(TimeSpan.FromSeconds(60), new Dictionary<string, string> { [variable] = value }, args);
        Assert.That(exit, Is.EqualTo(2), error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), error);
        Assert.That(lines[0], Does.StartWith($"error: {variable} ").And.Contain(fragment).And.Not.Contain("internal error"), lines[0]);
    }

    [TestCase("notaurl")]
    [TestCase("ftp://x")]
    [TestCase("http://")]
    [TestCase("  ")]
    [TestCase("https://exa mple.com")]
    public void AHubAddressThatIsNotOneIsRefusedBeforeAnyFolderOrConnection(string endpoint)
    {
        var cache = Path.Combine(TempFolder.New(), "never-created");
        AssertRefusedNamingTheVariable("HF_ENDPOINT", endpoint, $"'{endpoint}' is not a hub address: give http(s)://host[:port][/path]",
            "model", "download", "gpt2", "--cache", cache);
        Assert.That(Directory.Exists(cache), Is.False);
    }

    [Test]
    public void AModelCacheThatIsAFileIsSaidOfTheVariable()
    {
        var file = Path.Combine(TempFolder.New(), "cache");
        File.WriteAllText(file, "");
        AssertRefusedNamingTheVariable("CONCORD_MODEL_CACHE", file, "is a file, not a folder",
            "model", "download", "gpt2", "--endpoint", "http://127.0.0.1:1");
    }

    [TestCase(true, "is a file")]
    [TestCase(false, "no such folder")]
    public void AProjectHomeThatIsNoFolderIsSaidOfTheVariable(bool isFile, string fragment)
    {
        var home = Path.Combine(TempFolder.New(), "home");
        if (isFile) File.WriteAllText(home, "");
        AssertRefusedNamingTheVariable("CONCORD_HOME", home, fragment, "datasets", "validate", "--task", "ioi");
    }
}
