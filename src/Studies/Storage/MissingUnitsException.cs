using System.Globalization;
using System.Text;
using Concord.Methods.Pipeline;
using Concord.Tasks;

namespace Concord.Studies.Storage;

/// <summary>
/// A merge found units that no shard has written (yet): it names them by shard, task, unit and
/// batch rows, and no output is written (the CLI exits 4).
/// </summary>
public sealed class MissingUnitsException(string folder, IReadOnlyList<MissingUnit> missing, int? shards, int total)
    : Exception(Describe(folder, missing, shards, total))
{
    /// <summary>The units listed one per line; the rest are counted, so a run that has not started does not flood the terminal.</summary>
    public const int Listed = 20;

    private static string Describe(string folder, IReadOnlyList<MissingUnit> missing, int? shards, int total)
    {
        var text = new StringBuilder($"--out {folder}: {missing.Count} of {total} units are missing, so no output was written");
        if (shards is int n)
        {
            var byShard = missing.GroupBy(m => Shard.Of(m.Index, n)).OrderBy(g => g.Key).Select(g => $"shard {g.Key}/{n}: {g.Count()}");
            text.Append(CultureInfo.InvariantCulture, $" ({string.Join(", ", byShard)}); re-run those shards, then --merge again:");
        }
        else text.Append($" and the folder holds no {ShardManifest.FileName} (no shard has run there):");
        foreach (var m in missing.Take(Listed))
            text.Append(CultureInfo.InvariantCulture, $"\n  {(shards is int k ? $"shard {Shard.Of(m.Index, k)}/{k}" : "unit")} {m.Index,5}  {m.Task.Id(),-15} {m.Unit,-20} rows {string.Join(",", m.Rows)}");
        if (missing.Count > Listed) text.Append(CultureInfo.InvariantCulture, $"\n  … and {missing.Count - Listed} more");
        return text.ToString();
    }
}
