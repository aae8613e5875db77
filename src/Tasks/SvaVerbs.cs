using Concord.Model;

namespace Concord.Tasks;

/// <summary>
/// Singular/plural verb pairs for the SVA metric, read from a CSV with columns <c>sing</c>,
/// <c>plur</c>. Only pairs whose forms (with a leading space) are both single GPT-2 tokens are kept.
/// </summary>
public sealed class SvaVerbs
{
    public IReadOnlyList<(string Singular, string Plural)> Pairs { get; }
    public int[] SingularIds { get; }
    public int[] PluralIds { get; }
    public int SkippedPairs { get; }

    public SvaVerbs(IEnumerable<(string Singular, string Plural)> pairs, Gpt2Tokenizer tokenizer)
    {
        var kept = new List<(string, string)>();
        var sing = new List<int>();
        var plur = new List<int>();
        int skipped = 0;
        foreach (var (s, p) in pairs)
        {
            var si = tokenizer.Encode(" " + s, prependBos: false);
            var pi = tokenizer.Encode(" " + p, prependBos: false);
            if (si.Length != 1 || pi.Length != 1 || si[0] == pi[0]) { skipped++; continue; }
            kept.Add((s, p));
            sing.Add(si[0]);
            plur.Add(pi[0]);
        }
        if (kept.Count == 0) throw new DatasetException("no verb pair has single-token singular and plural forms");
        Pairs = kept;
        SingularIds = sing.Distinct().ToArray();
        PluralIds = plur.Distinct().ToArray();
        SkippedPairs = skipped;
    }

    public static SvaVerbs Load(string path, Gpt2Tokenizer tokenizer) =>
        new(CsvTable.Read(path, ["sing", "plur"]).Select(r => (r.Text("sing").Trim(), r.Text("plur").Trim())), tokenizer);
}
