namespace Concord.Model;

/// <summary>
/// Folders no Concord command writes into: the filesystem's root, the operating system's own
/// folders and the kernel's virtual filesystems. Refused up front, before anything is created or
/// cleaned, so that `--out /` can never scan or litter the whole machine.
/// </summary>
public static class SystemFolders
{
    // The folders themselves are refused; below the virtual filesystems nothing is a real folder at all.
    private static readonly string[] Unix = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys", "/usr", "/var", "/System", "/Library"];
    private static readonly string[] Virtual = ["/proc", "/sys", "/dev"];

    /// <summary>Throws a usage error naming <paramref name="flag"/> when <paramref name="path"/> is a system folder or lies in a virtual filesystem.</summary>
    public static void Refuse(string flag, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{flag} is empty");
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (full.Length == 0 || Path.GetPathRoot(full) is { } root && Path.TrimEndingDirectorySeparator(root) == full)
            throw new ArgumentException($"{flag} {path}: is the root of the filesystem; choose a folder of your own (e.g. {flag} results)");
        if (OperatingSystem.IsWindows())
        {
            var windows = Environment.GetFolderPath(Environment.SpecialFolder.Windows);
            if (windows.Length > 0 && (full.Equals(windows, StringComparison.OrdinalIgnoreCase) || full.StartsWith(windows + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase)))
                throw new ArgumentException($"{flag} {path}: is a system folder; choose a folder of your own");
            return;
        }
        if (Unix.Contains(full, StringComparer.Ordinal))
            throw new ArgumentException($"{flag} {path}: is a system folder; choose a folder of your own (e.g. {flag} results)");
        if (Virtual.Any(v => full.StartsWith(v + "/", StringComparison.Ordinal)))
            throw new ArgumentException($"{flag} {path}: lies in {Virtual.First(v => full.StartsWith(v + "/", StringComparison.Ordinal))}, the kernel's virtual filesystem, where no file can be written; choose a folder of your own");
    }
}
