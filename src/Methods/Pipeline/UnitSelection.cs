using Concord.Model;
using System.Globalization;

namespace Concord.Methods.Pipeline;

/// <summary>
/// Which of a run's missing units this process computes. Units are numbered over the whole run
/// (task by task, batch by batch, unit by unit), a deterministic function of the options and data,
/// so processes that agree on those agree on the numbering without talking to each other.
/// </summary>
public abstract record UnitSelection
{
    /// <summary>Every missing unit (a one-process run).</summary>
    public static UnitSelection All { get; } = new Everything();

    /// <summary>A merge of shards: no attribution unit is computed, every one is read from the store (the passes that need them all, verification and interactions, are computed by the merge).</summary>
    public static UnitSelection Merge { get; } = new Merging();

    public abstract bool Computes(int unitIndex);

    /// <summary>The units this process looks up and reports on: its own (a shard's), or every one (a merge's).</summary>
    public virtual bool Reads(int unitIndex) => Computes(unitIndex);

    private sealed record Everything : UnitSelection
    {
        public override bool Computes(int unitIndex) => true;
    }

    private sealed record Merging : UnitSelection
    {
        public override bool Computes(int unitIndex) => false;
        public override bool Reads(int unitIndex) => true;
    }
}

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/>: the units whose run-wide index is
/// <see cref="Index"/> modulo <see cref="Count"/>. Round-robin rather than contiguous ranges, so
/// every shard gets a mix of cheap and expensive units and of every task.
/// </summary>
public sealed record Shard(int Index, int Count) : UnitSelection
{
    public override bool Computes(int unitIndex) => unitIndex % Count == Index;

    /// <summary>The shard that computes <paramref name="unitIndex"/>.</summary>
    public static int Of(int unitIndex, int count) => unitIndex % count;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Reads "I/N" (0 ≤ I &lt; N), failing with one line that says what was wrong.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new SettingException("Shard", $"{text}: expected I/N with whole numbers, shard I of N counted from 0 (e.g. 0/4)");
        if (count < 1) throw new SettingException("Shard", $"{text}: N, the number of shards, must be at least 1");
        if (index >= count) throw new SettingException("Shard", $"{text}: I must lie between 0 and {count - 1} (shards are counted from 0)");
        return new Shard(index, count);
    }
}
