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
        int produced = 0;
        while (produced < Rows_)
        {
            string noun = Pick(random, nouns);
            int century = random.Next(11, 18);
            // YY = 00 and 01 leave nothing below the corruption; 99 leaves nothing above.
            int yy = random.Next(2, 99);
            if (!Splits(tokenizer, century, yy) || !Splits(tokenizer, century, 1)) continue;
            yield return [Prompt(noun, century, yy), Prompt(noun, century, 1), yy.ToString(CultureInfo.InvariantCulture)];
            produced++;
        }
    }

    public static string Prompt(string noun, int century, int yy) => $"The {noun} lasted from the year {century}{yy:00} to the year {century}";

    /// <summary>True when GPT-2 writes the year " XXYY" as the two tokens " XX" + "YY" (the metric reads the "YY" tokens).</summary>
    public static bool Splits(Gpt2Tokenizer tokenizer, int century, int yy) =>
        tokenizer.Encode($" {century}{yy:00}", prependBos: false) is [var c, var y]
        && c == tokenizer.SingleToken($" {century}") && y == tokenizer.SingleToken($"{yy:00}");
}
