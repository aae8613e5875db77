using System.Globalization;
using Concord.Model;

namespace Concord.Tasks.Generators;

/// <summary>IOI from the Wang et al. templates, half BABA and half ABBA, with both corruptions.</summary>
public sealed class IoiGenerator : DatasetGenerator
{
    public const int Rows_ = 1000;
    public override TaskKind Kind => TaskKind.Ioi;
    public override IReadOnlyList<string> Header => ["", "clean", "corrupted", "corrupted_hard", "correct_idx", "incorrect_idx"];

    public override IEnumerable<string[]> Rows(WordLists words, Random random, Gpt2Tokenizer tokenizer)
    {
        var templates = words.Lines("ioi_templates.txt");
        var names = SingleTokens(words.Lines("names.txt"), tokenizer);
        var places = words.Lines("places.txt");
        var objects = words.Lines("objects.txt");
        for (int i = 0; i < Rows_; i++)
        {
            var baba = Pick(random, templates);
            // ABBA: the first mention lists the indirect object first.
            var template = i % 2 == 0 ? baba : baba.Replace("[B] and [A]", "[A] and [B]");
            if (!template.EndsWith(" [A]", StringComparison.Ordinal))
                throw new DatasetException($"IOI template does not end with ' [A]': {baba}");
            template = template[..^4];
            string a = Pick(random, names), b, c;
            do b = Pick(random, names); while (b == a);
            do c = Pick(random, names); while (c == a || c == b);
            string place = Pick(random, places), thing = Pick(random, objects);
            // The subject's second mention is the last [B]; the corruptions replace exactly that one.
            int second = template.LastIndexOf("[B]", StringComparison.Ordinal);
            string Fill(string s, string secondSubject) =>
                (s[..second] + secondSubject + s[(second + 3)..])
                    .Replace("[A]", a).Replace("[B]", b).Replace("[PLACE]", place).Replace("[OBJECT]", thing);
            yield return
            [
                i.ToString(CultureInfo.InvariantCulture),
                Fill(template, b), Fill(template, c), Fill(template, a),
                Id(tokenizer, " " + a), Id(tokenizer, " " + b),
            ];
        }
    }
}
