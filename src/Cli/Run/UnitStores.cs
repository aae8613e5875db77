using Concord.Methods.Pipeline;
using Concord.Tasks;

namespace Concord.Cli.Run;

/// <summary>Where a run keeps a task's units: --out/&lt;task&gt;/units, emptied first with --fresh.</summary>
public static class UnitStores
{
    public static FileUnitStore For(RunSettings settings, TaskKind kind)
    {
        var folder = Path.Combine(settings.Out, kind.Id(), "units");
        if (settings.Fresh && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        return new FileUnitStore(folder);
    }
}
