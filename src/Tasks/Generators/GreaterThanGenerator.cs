using System.Globalization;
using Concord.Model;

namespace Concord.Tasks.Generators;

/// <summary>
/// Greater-than: "The [noun] lasted from the year XXYY to the year XX", years 1100–1799 that
/// GPT-2 splits as " XX" + "YY", corrupted to XX01.
/// </summary>
public sealed class GreaterThanGenerator : DatasetGenerator
{
    public const int Rows_ = 1000;
    public override TaskKind Kind => TaskKind.GreaterThan;
    public override IReadOnlyList<string> Header => ["clean", "corrupted", "correct_idx"];

    public override IEnumerable<string[]> Rows(WordLists words, Random random, Gpt2Tokenizer tokenizer)
    {
        var nouns = SingleTokens(words.Lines("greater_than_nouns.txt"), tokenizer);
        bool Splits(int century, int yy) =>
            tokenizer.Encode($" {century}{yy:00}", prependBos: false) is [var c, var y]
            && c == tokenizer.SingleToken($" {century}") && y == tokenizer.SingleToken($"{yy:00}");
        int produced = 0;
        while (produced < Rows_)
        {
            string noun = Pick(random, nouns);
            int century = random.Next(11, 18);
            // YY = 00 and 01 leave nothing below the corruption; 99 leaves nothing above.
            int yy = random.Next(2, 99);
            if (!Splits(century, yy) || !Splits(century, 1)) continue;
            string Prompt(int y) => $"The {noun} lasted from the year {century}{y:00} to the year {century}";
            yield return [Prompt(yy), Prompt(1), yy.ToString(CultureInfo.InvariantCulture)];
            produced++;
        }
    }
}
