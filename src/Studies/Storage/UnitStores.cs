using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;

namespace Concord.Studies.Storage;

/// <summary>Where a study keeps a task's units: &lt;output folder&gt;/&lt;task&gt;/units, emptied of its units first when the output says fresh.</summary>
public static class UnitStores
{
    public const string FolderName = "units";

    /// <param name="methods">The methods the study knows: the ones its unit files may name.</param>
    /// <param name="spaces">The target spaces the study scores: the ones its unit files may name besides the built-in ones.</param>
    public static FileUnitStore For(StudyOutput output, TaskDescriptor kind, Methods.Attribution.MethodCatalogue methods, IEnumerable<Methods.Targets.TargetSpace> spaces)
    {
        var folder = Path.Combine(output.Folder, kind.Id(), FolderName);
        if (output.Fresh) DeleteUnits(folder);
        return new FileUnitStore(folder, Study.UnitFormats, methods, spaces);
    }

    /// <summary>
    /// Deletes the unit files Concord wrote (JSON files that open with the unit checksum line) and its
    /// temporaries, directly in <paramref name="folder"/>; anything else there, and any folder below, is
    /// the user's and stays. The folder goes too once nothing is left in it.
    /// </summary>
    private static void DeleteUnits(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json", SearchOption.TopDirectoryOnly).Where(IsUnitFile).ToList()) File.Delete(file);
        foreach (var stale in AtomicFile.TemporariesIn(folder)) File.Delete(stale);
        if (!Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }

    private static bool IsUnitFile(string path)
    {
        const string checksumLine = "sha256:";
        // A FIFO would block the open: whatever it is, Concord did not write it.
        if (InputFiles.SpecialKind(path) is not null) return false;
        using var stream = File.OpenRead(path);
        var start = new byte[checksumLine.Length];
        return stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length
               && System.Text.Encoding.ASCII.GetString(start) == checksumLine;
    }
}
