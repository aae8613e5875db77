using Concord.Model;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>
/// Gender bias: every Vig et al. template × every single-token profession with its stereotyped
/// pronoun, and "man"/"woman" (the corruption's nouns) with theirs, so that the corruption flips
/// the answer as it does in GPT-2.
/// </summary>
public sealed class GenderBiasSampler : TaskSampler
{
    /// <summary>Share of draws that use "man" or "woman" instead of a profession.</summary>
    public const double PlainNounShare = 0.2;

    private readonly IReadOnlyList<string> _templates;
    private readonly IReadOnlyList<(string Noun, bool Male)> _professions;
    private readonly int _he, _she;

    public GenderBiasSampler(WordLists words, Gpt2Tokenizer tokenizer)
    {
        _templates = words.Lines("gender_templates.txt");
        _professions = words.Table("professions.tsv", 2)
            .Where(p => tokenizer.IsSingleToken(" " + p[0]))
            .Select(p => (p[0], p[1] == "male")).ToList();
        (_he, _she) = (tokenizer.SingleToken(" he"), tokenizer.SingleToken(" she"));
    }

    public override TaskKind Kind => TaskKind.GenderBias;
    public override bool Generalises => false;

    public override TaskSample Sample(Random random, SplitSide side)
    {
        var template = Pick(random, _templates);
        var (noun, male) = random.NextDouble() < PlainNounShare
            ? (random.Next(2) == 0 ? ("man", true) : ("woman", false))
            : Pick(random, _professions);
        string Prompt(string n) => template.Replace("[PROFESSION]", n);
        return new TaskSample(Kind, Prompt(noun), Prompt(male ? "woman" : "man"), male ? " he" : " she",
            [male ? _he : _she], [male ? _she : _he], male ? "male" : "female");
    }
}
