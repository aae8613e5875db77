using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;

namespace Concord.Studies.Storage;

/// <summary>Where a study keeps a task's units: &lt;output folder&gt;/&lt;task&gt;/units, emptied of its units first when the output says fresh.</summary>
public static class UnitStores
{
    public const string FolderName = "units";

    /// <summary>The store of one task of <paramref name="study"/>: its passes' unit formats, the methods its catalogue knows, the spaces it scores.</summary>
    public static FileUnitStore For(StudyOutput output, TaskDescriptor kind, Study study)
    {
        var folder = Path.Combine(output.Folder, kind.Id(), FolderName);
        if (output.Fresh) DeleteUnits(folder);
        return new FileUnitStore(folder, study.UnitFormats, study.Options.Pipeline.MethodCatalogue, study.Options.Pipeline.AllSpaces);
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
