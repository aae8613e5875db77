using System.Text.RegularExpressions;

namespace Concord.Model;

/// <summary>
/// Why a file operation failed, in words a user can act on, without the file's path: a failed write
/// names the temporary or lock file it was writing, which the user never chose and cannot find.
/// </summary>
public static partial class IoFailure
{
    // On Unix, .NET's IOException carries the errno as its HResult.
    private const int NoSpace = 28, ReadOnlyFileSystem = 30, QuotaExceeded = 122;

    /// <summary>A failure that only writing meets: the disk is full or the file system read-only.</summary>
    public static bool IsWriteRefused(Exception e) => e is IOException { HResult: NoSpace or ReadOnlyFileSystem or QuotaExceeded };

    /// <summary>"the disk is full", "the file system is read-only", "permission denied", else the message with every quoted path left out.</summary>
    public static string Reason(Exception e) => e switch
    {
        IOException { HResult: NoSpace or QuotaExceeded } => "the disk is full",
        IOException { HResult: ReadOnlyFileSystem } => "the file system is read-only",
        UnauthorizedAccessException => "permission denied",
        _ => QuotedPath().Replace(e.Message, "").Trim().TrimEnd('.', ':').Trim(),
    };

    [GeneratedRegex(@"\s*:?\s*'[^']*'")]
    private static partial Regex QuotedPath();
}
