using Concord.Model;

namespace Concord.Tasks.Generators;

/// <summary>
/// Capital–country: " Tirana, the capital of" → first token of " Albania"; the corrupted prompt
/// names another capital whose prompt has the same token length and whose country starts with a
/// different token.
/// </summary>
public sealed class CapitalCountryGenerator : DatasetGenerator
{
    public override TaskKind Kind => TaskKind.CapitalCountry;
    public override IReadOnlyList<string> Header =>
        ["clean", "capital", "country", "country_idx", "corrupted", "corrupted_capital", "corrupted_country", "corrupted_country_idx"];

    public override IEnumerable<string[]> Rows(WordLists words, Random random, Gpt2Tokenizer tokenizer)
    {
        var entries = words.Table("capitals.tsv", 2)
            .Select(e => (Capital: e[0], Country: e[1], Prompt: $" {e[0]}, the capital of",
                          Answer: tokenizer.Encode(" " + e[1], prependBos: false)[0]))
            .Select(e => (e.Capital, e.Country, e.Prompt, e.Answer, Length: tokenizer.Count(e.Prompt)))
            .ToList();
        foreach (var e in entries)
        {
            var partners = entries.Where(o => o.Length == e.Length && o.Answer != e.Answer).ToList();
            if (partners.Count == 0) continue;
            var o = Pick(random, partners);
            yield return
            [
                e.Prompt, e.Capital, e.Country, e.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture),
                o.Prompt, o.Capital, o.Country, o.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ];
        }
    }
}
