using System.Diagnostics;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// What a careless script can hand `concord` and still get one line (issue 31): a response file that
/// names itself, a thread count beyond the machine, a stdout that cannot be written.
/// </summary>
[TestFixture, NonParallelizable]
public class SafeDefaultsTests
{
    /// <summary>`@file` is not a feature of Concord's: an argument naming itself is an unknown argument, not a stack overflow (exit 134 before).</summary>
    [Test]
    public void AResponseFileThatNamesItselfIsAnOrdinaryUnknownArgument()
    {
        var file = Path.Combine(TempFolder.New("response-file"), "self.rsp");
        File.WriteAllText(file, $"@{file}\n");
        ConcordProcess.AssertOneLineError([$"@{file}"], 2, $"@{file}");
    }

    [Test]
    public void MoreThreadsThanCoresAreRefusedBeforeTraining()
    {
        var output = Path.Combine(TempFolder.New("threads"), "model");
        ConcordProcess.AssertOneLineError(["model", "train", "--out", output, "--preset", "tiny", "--steps", "1", "--threads", "100000"], 2,
            $"--threads 100000 is more than this machine's {Environment.ProcessorCount} cores");
        Assert.That(Directory.Exists(output), Is.False, "nothing is written");
    }

    [Test]
    public void AVersionToAFullDeviceIsOneLine()
    {
        Assume.That(File.Exists("/dev/full"), "no /dev/full on this system: a full stdout cannot be made here");
        var start = new ProcessStartInfo("sh") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"dotnet \"{Path.Combine(AppContext.BaseDirectory, "concord.dll")}\" --version > /dev/full");
        var (code, _, error) = ChildProcess.Run(start, TimeSpan.FromMinutes(1));
        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "error: cannot write to stdout (the disk is full); send it elsewhere" }));
    }
}
