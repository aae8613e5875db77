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
        var templates = words.Lines("ioi_templates.txt").Select(t => new IoiTemplate(t)).ToList();
        var names = SingleTokens(words.Lines("names.txt"), tokenizer).Distinct().ToList();
        // A row needs three different names (indirect object, subject, the corruption's third name).
        if (names.Count < 3)
            throw new DatasetException($"{Path.Combine(words.Folder, "names.txt")}: {names.Count} distinct single-token names; IOI needs at least 3");
        var places = words.Lines("places.txt");
        var objects = words.Lines("objects.txt");
        for (int i = 0; i < Rows_; i++)
        {
            var template = Pick(random, templates);
            // ABBA: the first mention lists the indirect object first.
            bool abba = i % 2 != 0;
            string a = Pick(random, names), b, c;
            do b = Pick(random, names); while (b == a);
            do c = Pick(random, names); while (c == a || c == b);
            string place = Pick(random, places), thing = Pick(random, objects);
            string Fill(string secondSubject) => template.Fill(abba, a, b, secondSubject, place, thing);
            yield return
            [
                i.ToString(CultureInfo.InvariantCulture),
                Fill(b), Fill(c), Fill(a),
                Id(tokenizer, " " + a), Id(tokenizer, " " + b),
            ];
        }
    }
}
