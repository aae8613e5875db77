using Concord.Model;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// The matrix products of GPT-2 runs as <see cref="HookedGpt2"/> computes them, from the config.
/// Notation: b rows (prompts × stacked patches or nodes), P computed positions per row, p shared
/// prefix positions (keys and values cached, not recomputed), d = n_embd, m = d_mlp, h heads of
/// d_head, V the vocabulary.
/// </summary>
public static class Gpt2Products
{
    /// <summary>
    /// One block: q at <paramref name="queries"/> positions, k and v at <paramref name="positions"/>,
    /// every query attending to <paramref name="keys"/> keys (the causal mask zeroes scores but
    /// the product is computed whole), then z·W_O and the MLP at the queries.
    /// Per row: 2d²·q + 2·2d²·P + 2·2·h·q·d_head·keys + 2d²·q + 2·2dm·q.
    /// </summary>
    public static IEnumerable<MatrixProduct> Block(Gpt2Config c, long rows, long positions, long queries, long keys)
    {
        yield return new("q projection", rows * queries, c.NEmbd, c.NEmbd);
        yield return new("k projection", rows * positions, c.NEmbd, c.NEmbd);
        yield return new("v projection", rows * positions, c.NEmbd, c.NEmbd);
        yield return new("attention q·kᵀ", queries, c.DHead, keys, rows * c.NHead, BothOperandsVary: true);
        yield return new("attention pattern·v", queries, keys, c.DHead, rows * c.NHead, BothOperandsVary: true);
        foreach (var p in AfterAttention(c, rows * queries)) yield return p;
    }

    /// <summary>z·W_O and the MLP for <paramref name="tokens"/> token rows (what a run from hook_z starts with).</summary>
    public static IEnumerable<MatrixProduct> AfterAttention(Gpt2Config c, long tokens)
    {
        yield return new("attention output z·W_O", tokens, c.NEmbd, c.NEmbd);
        foreach (var p in Mlp(c, tokens)) yield return p;
    }

    public static IEnumerable<MatrixProduct> Mlp(Gpt2Config c, long tokens)
    {
        yield return new("mlp in", tokens, c.NEmbd, c.DMlp);
        yield return new("mlp out", tokens, c.DMlp, c.NEmbd);
    }

    /// <summary>Logits over the whole vocabulary at <paramref name="tokens"/> token rows (the metric reads a few of them; the product is whole).</summary>
    public static MatrixProduct Unembedding(Gpt2Config c, long tokens) => new("unembedding", tokens, c.NEmbd, c.VocabSize);

    /// <summary>
    /// A run from the embedding over <paramref name="positions"/> positions: every block whole;
    /// logits at every position, or (<paramref name="lastTokenOnly"/>) at one per row, when the
    /// last block also computes its queries, attention and MLP at that position alone.
    /// </summary>
    public static List<MatrixProduct> FullRun(Gpt2Config c, long rows, long positions, bool lastTokenOnly)
    {
        var products = new List<MatrixProduct>();
        for (int l = 0; l < c.NLayer; l++)
            products.AddRange(Block(c, rows, positions, lastTokenOnly && l == c.NLayer - 1 ? 1 : positions, positions));
        products.Add(Unembedding(c, rows * (lastTokenOnly ? 1 : positions)));
        return products;
    }

    /// <summary>
    /// What follows an activation replaced at <paramref name="start"/> (hook_z or mlp.hook_post of
    /// <paramref name="layer"/>) in a full run: the products a backward pass to it goes through.
    /// </summary>
    public static List<MatrixProduct> DownstreamOfFullRun(Gpt2Config c, HookKind start, int layer, long rows, long positions)
    {
        var products = Start(c, start, rows * positions).ToList();
        for (int l = layer + 1; l < c.NLayer; l++) products.AddRange(Block(c, rows, positions, positions, positions));
        products.Add(Unembedding(c, rows * positions));
        return products;
    }

    /// <summary>
    /// A run from a hook (<see cref="HookedGpt2.RunFrom"/>) with logits at one position per row:
    /// the start block from the hook on at the <paramref name="positions"/> computed positions,
    /// the blocks after it whole there, attending to <paramref name="prefix"/> cached positions
    /// plus the computed ones, and the last block with its queries at the read position only
    /// (when it is not the start block). With prefix reuse P = width − p; without, p = 0.
    /// </summary>
    public static List<MatrixProduct> RunFromHook(Gpt2Config c, HookKind start, int layer, long rows, long positions, long prefix)
    {
        int last = c.NLayer - 1;
        var products = Start(c, start, rows * positions).ToList();
        for (int l = layer + 1; l < c.NLayer; l++)
            products.AddRange(Block(c, rows, positions, l == last ? 1 : positions, prefix + positions));
        products.Add(Unembedding(c, rows));
        return products;
    }

    private static IEnumerable<MatrixProduct> Start(Gpt2Config c, HookKind start, long tokens) => start switch
    {
        HookKind.Z => AfterAttention(c, tokens),
        HookKind.MlpPost => [new MatrixProduct("mlp out", tokens, c.DMlp, c.NEmbd)],
        _ => throw new ArgumentOutOfRangeException(nameof(start), start, "FLOP counts cover runs from hook_z and mlp.hook_post"),
    };

    public static List<MatrixProduct> Backward(IEnumerable<MatrixProduct> forward) => forward.SelectMany(p => p.Backward()).ToList();
}
