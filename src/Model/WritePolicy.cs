namespace Concord.Model;

/// <summary>
/// The one written-files policy of every command that writes (issue 31): a command writes only the files
/// and folders it documents, inside the place the user named; it never replaces an existing file it did
/// not create — its own input above all — unless the user says so (<c>--force</c>, or resuming its own
/// run, which the caller decides); and every guard looks at the path as the filesystem will follow it,
/// symlinks and <c>..</c> resolved, never at its spelling alone. Every refusal is one
/// <see cref="ArgumentException"/> (a usage error) naming the path and the flag that would allow it,
/// thrown before anything is created.
/// </summary>
public static class WritePolicy
{
    /// <summary>The flag that lets a command replace files it did not create.</summary>
    public const string ForceFlag = "--force";

    // More symlinks than this while resolving one path is a loop (Linux's own limit is 40).
    private const int MaxLinks = 40;

    /// <summary>
    /// <paramref name="path"/> made absolute with every symlink along it followed and every <c>.</c> and
    /// <c>..</c> taken where the filesystem takes it (<c>link/..</c> is the parent of the link's target,
    /// not the folder holding the link), as <c>realpath -m</c>: the part that does not exist yet is kept as written.
    /// </summary>
    public static string Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("the path is empty");
        int links = 0;
        return ResolveFrom(Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path), ref links);
    }

    private static string ResolveFrom(string absolute, ref int links)
    {
        string root = Path.GetPathRoot(absolute)!;
        string current = root;
        foreach (var part in absolute[root.Length..].Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            string next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.Exists || Directory.Exists(next) || info.LinkTarget is not null)
            {
                if (info.LinkTarget is { } target)
                {
                    if (++links > MaxLinks) throw new ArgumentException($"{next}: too many levels of symbolic links");
                    next = ResolveFrom(Path.IsPathRooted(target) ? target : Path.Combine(current, target), ref links);
                }
            }
            current = next;
        }
        return Path.TrimEndingDirectorySeparator(current) is { Length: > 0 } trimmed ? trimmed : root;
    }

    /// <summary>
    /// Checks a folder a command will write into, before anything is created: not a system folder by its
    /// name nor by where it resolves to, not a file, and no file along the way. Returns the resolved folder.
    /// </summary>
    /// <param name="flag">How messages name the folder ("--out").</param>
    public static string Folder(string flag, string path)
    {
        string resolved = Resolved(flag, path);
        SystemFolders.Refuse(flag, path, resolved);
        if (System.IO.File.Exists(resolved)) throw new ArgumentException($"{flag} {path}: is a file, not a folder");
        for (var dir = new DirectoryInfo(resolved).Parent; dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(dir.FullName)) throw new ArgumentException($"{flag} {path}: {dir.FullName} is a file, not a folder");
            if (dir.Exists) break;
        }
        return resolved;
    }

    /// <summary>
    /// Checks that writing <paramref name="files"/> (paths relative to <paramref name="folder"/>) replaces
    /// no file this command did not create: the first that exists is refused unless <paramref name="force"/>.
    /// The caller leaves out files it made itself (its own run's, when it resumes).
    /// </summary>
    public static void RefuseReplacing(string flag, string folder, IEnumerable<string> files, bool force, string forceFlag = ForceFlag)
    {
        if (force) return;
        string resolved = Resolve(folder);
        if (!Directory.Exists(resolved)) return;
        foreach (var file in files)
        {
            string target = Path.Combine(resolved, file);
            if (System.IO.File.Exists(target) || new FileInfo(target).LinkTarget is not null)
                throw new ArgumentException($"{flag} {folder}: {Path.Combine(folder, file)} exists and this command did not write it; choose another {flag}, or add {forceFlag} to replace it");
        }
    }

    /// <summary>
    /// Checks a single file a command will write, as <see cref="Folder"/> checks a folder: its folder is
    /// guarded like any output folder, it is not a folder itself, it is none of the command's
    /// <paramref name="inputs"/> (whatever the spelling: symlinks and <c>..</c> resolved), and an existing
    /// file there is replaced only with <paramref name="force"/>. Returns the resolved path.
    /// </summary>
    /// <param name="inputs">The files the command reads, each with the flag that named it.</param>
    public static string File(string flag, string path, bool force, IEnumerable<(string Flag, string Path)> inputs, string forceFlag = ForceFlag)
    {
        string resolved = Resolved(flag, path);
        if (Path.GetDirectoryName(resolved) is not { } parent) throw new ArgumentException($"{flag} {path}: is the root of the filesystem, not a file");
        SystemFolders.Refuse(flag, path, parent, ofFile: true);
        Folder(flag, parent);
        if (Directory.Exists(resolved)) throw new ArgumentException($"{flag} {path}: is a folder; name the file to write");
        if (force) return resolved;
        foreach (var (inputFlag, input) in inputs)
            if (string.Equals(Resolve(input), resolved, StringComparison.Ordinal))
                throw new ArgumentException($"{flag} {path}: is the input file ({inputFlag} {input}), which writing would replace; choose another {flag}, or add {forceFlag} to replace it");
        if (System.IO.File.Exists(resolved))
            throw new ArgumentException($"{flag} {path}: exists and this command did not write it; choose another {flag}, or add {forceFlag} to replace it");
        return resolved;
    }

    private static string Resolved(string flag, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{flag} is empty");
        try { return Resolve(path); }
        catch (ArgumentException e) { throw new ArgumentException($"{flag} {path}: {e.Message}", e); }
    }
}
