using static TorchSharp.torch;

namespace Concord.Model.Training;

/// <summary>
/// The tokens a training corpus can use, numbered 0..n-1, plus one shared row
/// (<see cref="Other"/>) that stands for every other token of the full vocabulary.
/// <para>
/// Training over n+1 rows instead of 50,257 is exact for the saved model: the logit of
/// <see cref="Other"/> is offset by ln(number of unused tokens), so the compact softmax equals the
/// softmax of the full model in which every unused token's embedding row is the shared row
/// (N identical logits ℓ carry the mass of one logit ℓ + ln N). <see cref="Expand"/> writes that
/// full embedding, so every probability the task metrics read is the one that was trained.
/// </para>
/// </summary>
public sealed class CompactVocabulary
{
    private readonly int[] _fullIds;
    private readonly Dictionary<int, int> _compact;

    public int FullSize { get; }
    /// <summary>Compact rows including <see cref="Other"/>.</summary>
    public int Size => _fullIds.Length + 1;
    /// <summary>The compact row shared by every token outside the corpus.</summary>
    public int Other => _fullIds.Length;
    public int UnusedCount => FullSize - _fullIds.Length;
    /// <summary>ln(number of tokens the shared row stands for): added to its logit in training.</summary>
    public double OtherLogitOffset => Math.Log(UnusedCount);
    public IReadOnlyList<int> FullIds => _fullIds;

    public CompactVocabulary(IEnumerable<int> usedIds, int fullSize)
    {
        _fullIds = usedIds.Distinct().Order().ToArray();
        if (_fullIds.Length == 0) throw new ArgumentException("a vocabulary needs at least one token");
        if (_fullIds[0] < 0 || _fullIds[^1] >= fullSize)
            throw new ArgumentException($"token ids must lie in 0..{fullSize - 1}");
        if (_fullIds.Length >= fullSize) throw new ArgumentException("the corpus uses every token: nothing to compact");
        FullSize = fullSize;
        _compact = _fullIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
    }

    public bool Contains(int fullId) => _compact.ContainsKey(fullId);

    public int ToCompact(int fullId) =>
        _compact.TryGetValue(fullId, out int c) ? c : throw new ArgumentException($"token {fullId} is not in the training vocabulary");

    public int[] ToCompact(IEnumerable<int> fullIds) => fullIds.Select(ToCompact).ToArray();

    /// <summary>[size] additive logit offsets: 0 for corpus tokens, ln(unused) for <see cref="Other"/>.</summary>
    public Tensor LogitOffsets(ScalarType dtype, Device device)
    {
        var offsets = new double[Size];
        offsets[Other] = OtherLogitOffset;
        return tensor(offsets).to(dtype, device);
    }

    /// <summary>The full [FullSize, d] embedding: corpus rows in place, the shared row everywhere else.</summary>
    public Tensor Expand(Tensor compactEmbedding)
    {
        if (compactEmbedding.shape[0] != Size) throw new ArgumentException($"expected {Size} compact rows, got {compactEmbedding.shape[0]}");
        using var scope = NewDisposeScope();
        var source = new long[FullSize];
        Array.Fill(source, Other);
        for (int i = 0; i < _fullIds.Length; i++) source[_fullIds[i]] = i;
        var index = tensor(source, dtype: ScalarType.Int64, device: compactEmbedding.device);
        return compactEmbedding.detach().index_select(0, index).MoveToOuterDisposeScope();
    }
}
