using Concord.Model;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>Capital–country facts: " Tirana, the capital of" continued by " Albania" (every token of the country's name).</summary>
public sealed class CapitalCountrySampler : TaskSampler
{
    private readonly IReadOnlyList<(string Capital, string Country, int Answer)> _facts;

    public CapitalCountrySampler(WordLists words, Gpt2Tokenizer tokenizer)
    {
        _facts = words.Table("capitals.tsv", 2)
            .Select(e => (e[0], e[1], tokenizer.Encode(" " + e[1], prependBos: false)[0])).ToList();
    }

    public override TaskKind Kind => TaskKind.CapitalCountry;
    public override bool Generalises => false;

    public override TaskSample Sample(Random random, SplitSide side)
    {
        var fact = Pick(random, _facts);
        // The probe contrasts the country with another one, as the dataset's corruption does.
        var other = Until(() => Pick(random, _facts), o => o.Answer != fact.Answer, "capital-country contrast");
        return new TaskSample(Kind, $" {fact.Capital}, the capital of", null, " " + fact.Country, [fact.Answer], [other.Answer], fact.Country);
    }
}
