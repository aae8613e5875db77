using Concord.Model;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>Hypernymy facts: ", diamonds and other" continued by one of the category's answer words (" gems").</summary>
public sealed class HypernymySampler : TaskSampler
{
    private readonly IReadOnlyList<(string Category, string[] Answers, int[] Ids, string[] Members)> _categories;

    public HypernymySampler(WordLists words, Gpt2Tokenizer tokenizer)
    {
        _categories = words.Table("hypernymy.tsv", 3)
            .Select(row =>
            {
                var answers = row[1].Split(',').Where(a => tokenizer.IsSingleToken(" " + a)).ToArray();
                return (row[0], answers, answers.Select(a => tokenizer.SingleToken(" " + a)).ToArray(), row[2].Split(','));
            })
            .Where(c => c.answers.Length > 0).ToList();
    }

    public override TaskKind Kind => TaskKind.Hypernymy;
    public override bool Generalises => false;

    public override TaskSample Sample(Random random, SplitSide side)
    {
        var category = Pick(random, _categories);
        var other = Until(() => Pick(random, _categories), o => !o.Ids.Intersect(category.Ids).Any(), "hypernymy contrast");
        return new TaskSample(Kind, $", {Pick(random, category.Members)} and other", null, " " + Pick(random, category.Answers),
            category.Ids, other.Ids, category.Category);
    }
}
