using System.Globalization;
using Concord.Model;

namespace Concord.Tasks.Generators;

/// <summary>
/// Hypernymy: ", diamonds and other" → the category's answer tokens; the corrupted prompt uses a
/// word of another category with the same token length. The study keeps rows where GPT-2 small's
/// probability difference is ≥ 0.1; that needs real weights, so this file is unfiltered and its
/// prob_diff column is empty.
/// </summary>
public sealed class HypernymyGenerator : DatasetGenerator
{
    public override TaskKind Kind => TaskKind.Hypernymy;
    public override IReadOnlyList<string> Header =>
        ["clean", "h1", "hypernym", "answers", "answers_idx", "corrupted", "c1", "corrupted_hypernym",
         "corrupted_answers", "corrupted_answers_idx", "clean2", "corrupted2", "prob_diff"];

    private sealed record Entry(string Word, string Category, string[] Answers, int[] AnswerIds, int Length);

    public override IEnumerable<string[]> Rows(WordLists words, Random random, Gpt2Tokenizer tokenizer)
    {
        var entries = new List<Entry>();
        foreach (var row in words.Table("hypernymy.tsv", 3))
        {
            var answers = row[1].Split(',').Where(a => tokenizer.IsSingleToken(" " + a)).ToArray();
            if (answers.Length == 0) continue;
            var ids = answers.Select(a => tokenizer.SingleToken(" " + a)).ToArray();
            foreach (var word in row[2].Split(','))
                entries.Add(new Entry(word, row[0], answers, ids, tokenizer.Count(Prompt(word))));
        }
        foreach (var e in entries)
        {
            var partners = entries.Where(o => o.Category != e.Category && o.Length == e.Length && !o.AnswerIds.Intersect(e.AnswerIds).Any()).ToList();
            if (partners.Count == 0) continue;
            var o = Pick(random, partners);
            yield return
            [
                Prompt(e.Word), e.Word, e.Category, ListLiteral.FormatStrings(e.Answers), ListLiteral.FormatInts(e.AnswerIds),
                Prompt(o.Word), o.Word, o.Category, ListLiteral.FormatStrings(o.Answers), ListLiteral.FormatInts(o.AnswerIds),
                $"{e.Word} are a type of", $"{o.Word} are a type of", "",
            ];
        }
    }

    private static string Prompt(string word) => $", {word} and other";
}
