using Concord.Model;

namespace Concord.Tasks.Generators;

/// <summary>
/// Subject–verb agreement: a subject followed by a distractor (prepositional phrase, object
/// relative clause, subject relative clause, or nothing); the corrupted prompt flips the subject's
/// number (and, in a subject relative clause, the verb that agrees with it).
/// </summary>
public sealed class SvaGenerator : DatasetGenerator
{
    public const int Rows_ = 3000;
    public override TaskKind Kind => TaskKind.Sva;
    public override IReadOnlyList<string> Header => ["clean", "corrupted", "group", "plural"];

    private sealed record Noun(string Singular, string Plural, bool Animate)
    {
        public string Form(bool plural) => plural ? Plural : Singular;
    }

    public override IEnumerable<string[]> Rows(WordLists words, Random random, Gpt2Tokenizer tokenizer)
    {
        var nouns = words.Table("sva_nouns.tsv", 3)
            .Where(n => tokenizer.IsSingleToken(" " + n[0]) && tokenizer.IsSingleToken(" " + n[1]))
            .Select(n => new Noun(n[0], n[1], n[2] == "animate")).ToList();
        var animate = nouns.Where(n => n.Animate).ToList();
        var context = words.Table("sva_context.tsv", 3);
        var preps = context.Where(c => c[0] == "prep").Select(c => c[1]).ToList();
        var verbs = context.Where(c => c[0] == "rel").Select(c => (Singular: c[1], Plural: c[2])).ToList();

        int produced = 0, attempts = 0;
        while (produced < Rows_)
        {
            if (++attempts > 20 * Rows_) throw new DatasetException("sva: too few prompts with equal clean/corrupted token lengths");
            // Every word is drawn before the prompt is built, so clean and corrupted differ only in number.
            var subject = Pick(random, nouns);
            var person = Pick(random, animate);
            var other = Pick(random, animate);
            var obj = Pick(random, nouns);
            bool otherPlural = random.Next(2) == 1;
            var verb = Pick(random, verbs);
            string prep = Pick(random, preps);
            bool plural = random.Next(2) == 1;
            string Verb(bool n) => n ? verb.Plural : verb.Singular;
            (string group, Func<bool, string> prompt) = (produced % 4) switch
            {
                0 => ($"prep_{(subject.Animate ? "anim" : "inanim")}", (Func<bool, string>)(n => $"The {subject.Form(n)} {prep} the {other.Form(otherPlural)}")),
                1 => ($"obj_rel_across_{(subject.Animate ? "anim" : "inanim")}", n => $"The {subject.Form(n)} that the {other.Form(otherPlural)} {Verb(otherPlural)}"),
                2 => ("subj_rel", n => $"The {person.Form(n)} that {Verb(n)} the {obj.Form(otherPlural)}"),
                _ => ("simple_agrmt", n => $"The {subject.Form(n)}"),
            };
            string clean = prompt(plural), corrupted = prompt(!plural);
            if (tokenizer.Count(clean) != tokenizer.Count(corrupted)) continue;
            produced++;
            yield return [clean, corrupted, group, plural ? "1" : "0"];
        }
    }
}
