using System.Globalization;
using Concord.Model;

namespace Concord.Tasks;

/// <summary>The GPT-2 ids of the two-digit tokens "00".."99" (each is one token, checked on construction).</summary>
public sealed class YearTokens
{
    private readonly int[] _ids;

    public YearTokens(Gpt2Tokenizer tokenizer)
    {
        _ids = Enumerable.Range(0, 100).Select(y => tokenizer.SingleToken(y.ToString("00", CultureInfo.InvariantCulture))).ToArray();
    }

    public int this[int twoDigits] => _ids[twoDigits];
    public IReadOnlyList<int> Ids => _ids;
}
