namespace Concord.Model;

/// <summary>
/// Folders no Concord command writes into: the filesystem's root, the operating system's own
/// folders, everything below the ones that hold only the system's files, and the kernel's virtual
/// filesystems. Refused up front, before anything is created or cleaned, so that `--out /` can never
/// scan or litter the whole machine; judged by the path's name and by where it resolves to
/// (<see cref="WritePolicy.Resolve"/>), so a symlink to a system folder is refused as the folder itself.
/// </summary>
public static class SystemFolders
{
    // The folders themselves are refused.
    private static readonly string[] Unix = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys", "/usr", "/var", "/System", "/Library",
        "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/share", "/usr/local"];
    // Below these nothing is a user's: the system's own files (/usr/local is the administrator's, and allowed below).
    private static readonly string[] SystemOnly = ["/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/usr", "/System"];
    // Below the virtual filesystems nothing is a real folder at all.
    private static readonly string[] Virtual = ["/proc", "/sys", "/dev"];

    /// <summary>Throws a usage error naming <paramref name="flag"/> when <paramref name="path"/> is a system folder or lies in one.</summary>
    public static void Refuse(string flag, string path) => Refuse(flag, path, WritePolicy.Resolve(path));

    /// <summary>
    /// Throws a usage error naming <paramref name="flag"/> when the folder <paramref name="resolved"/> (where
    /// <paramref name="path"/> leads) or <paramref name="path"/> by its name is a system folder or lies in one.
    /// </summary>
    /// <param name="ofFile">The folder is that of a single file <paramref name="path"/> names.</param>
    public static void Refuse(string flag, string path, string resolved, bool ofFile = false)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{flag} is empty");
        var named = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (ofFile) named = Path.GetDirectoryName(named) ?? named;
        foreach (var full in new[] { named, Path.TrimEndingDirectorySeparator(resolved) }.Distinct())
        {
            if (Problem(full) is not { } problem) continue;
            string subject = (ofFile, full == named) switch
            {
                (false, true) => "",
                (false, false) => $"resolves to {full}, which ",
                (true, true) => $"its folder {full} ",
                (true, false) => $"its folder resolves to {full}, which ",
            };
            throw new ArgumentException($"{flag} {path}: {subject}{problem}; choose a folder of your own{(ofFile ? "" : $" (e.g. {flag} results)")}");
        }
    }

    private static string? Problem(string full)
    {
        if (full.Length == 0 || Path.GetPathRoot(full) is { } root && Path.TrimEndingDirectorySeparator(root) == full)
            return "is the root of the filesystem";
        if (OperatingSystem.IsWindows())
        {
            var windows = Environment.GetFolderPath(Environment.SpecialFolder.Windows);
            return windows.Length > 0 && (full.Equals(windows, StringComparison.OrdinalIgnoreCase) || full.StartsWith(windows + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase))
                ? "is a system folder" : null;
        }
        if (Unix.Contains(full, StringComparer.Ordinal)) return "is a system folder";
        if (Virtual.FirstOrDefault(v => full.StartsWith(v + "/", StringComparison.Ordinal)) is { } virt)
            return $"lies in {virt}, the kernel's virtual filesystem, where no file can be written";
        if (!full.StartsWith("/usr/local/", StringComparison.Ordinal) && SystemOnly.FirstOrDefault(s => full.StartsWith(s + "/", StringComparison.Ordinal)) is { } system)
            return $"lies in {system}, a system folder";
        return null;
    }
}
