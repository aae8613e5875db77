using System.Text;

namespace Concord.Tasks.Training;

/// <summary>Which side of the split a sample is drawn from.</summary>
public enum SplitSide { Training, HeldOut }

/// <summary>
/// The rows the task model never sees in training, so that its evaluation measures a behaviour and
/// not a memory: IOI name pairs and whole templates, greater-than start years, SVA noun × context
/// combinations. Membership is a seeded hash of the item's name (FNV-1a), the same on every machine
/// and independent of the training seed, so every model is evaluated on the same held-out rows.
/// </summary>
public sealed record HeldOutSplit(int Seed = HeldOutSplit.DefaultSeed, double PairFraction = 0.1, int IoiTemplates = 3,
    double YearFraction = 0.15, double SvaCombinationFraction = 0.15)
{
    public const int DefaultSeed = 2026;
    public static HeldOutSplit Default { get; } = new();

    /// <summary>A number in [0, 1) fixed by the seed and the key.</summary>
    public double Hash(string key)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes($"{Seed}:{key}"))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        h ^= h >> 33;   // FNV's low bits mix poorly; fold the high ones in
        return (h % 1_000_000UL) / 1_000_000.0;
    }

    public bool IsHeldOutPair(string a, string b) =>
        Hash("ioi-pair:" + (string.CompareOrdinal(a, b) < 0 ? $"{a}|{b}" : $"{b}|{a}")) < PairFraction;

    public bool IsHeldOutYear(int century, int yy) => Hash($"year:{century}{yy:00}") < YearFraction;

    public bool IsHeldOutSvaCombination(string noun, string context) => Hash($"sva:{noun}|{context}") < SvaCombinationFraction;

    /// <summary>The <see cref="IoiTemplates"/> templates with the smallest hashes.</summary>
    public IReadOnlySet<string> HeldOutTemplates(IEnumerable<string> templates) =>
        templates.OrderBy(t => Hash("ioi-template:" + t)).ThenBy(t => t, StringComparer.Ordinal).Take(IoiTemplates).ToHashSet();

    public static bool Matches(bool heldOut, SplitSide side) => heldOut == (side == SplitSide.HeldOut);
}
