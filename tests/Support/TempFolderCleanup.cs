using Concord.Tests.Support;
using NUnit.Framework;

/// <summary>
/// Deletes the temporary folders of <see cref="TempFolder"/> once all of the assembly's tests have
/// finished, and the roots that killed runs left behind before they start. Outside any namespace on
/// purpose: NUnit runs a [SetUpFixture] around the fixtures of its own namespace, and around the
/// whole assembly only from the global one.
/// </summary>
[SetUpFixture]
public sealed class TempFolderCleanup
{
    [OneTimeSetUp]
    public void DeleteFoldersOfEndedRuns() => TempFolder.DeleteRootsOfEndedRuns();

    [OneTimeTearDown]
    public void DeleteThisRunsFolders() => TempFolder.DeleteRoot();
}
