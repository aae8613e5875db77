using Concord.Model;

namespace Concord.Cli;

/// <summary>
/// Writes into a folder the user named: a full disk or a read-only file system met while writing is
/// said of that folder and its option ("--out results: cannot write there (the disk is full)"), never
/// of the temporary or lock file that happened to be open.
/// </summary>
public static class OutputWrites
{
    /// <param name="setting">The setting's library name (Out), which the CLI says as its flag.</param>
    public static T Guard<T>(string setting, string folder, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (IOException e) when (e is not StandardOutputException && IoFailure.IsWriteRefused(e))
        {
            throw new UnwritableFolderException(setting, folder, e);
        }
    }
}
