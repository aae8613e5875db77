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

    public override IEnumerable<string[]> Rows(WordLists words, Random random, Gpt2Tokenizer tokenizer)
    {
        var nouns = SvaPrompts.Nouns(words, tokenizer);
        var animate = nouns.Where(n => n.Animate).ToList();
        var preps = SvaPrompts.Prepositions(words);
        var verbs = SvaPrompts.RelativeVerbs(words);

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
            (string group, Func<bool, string> prompt) = (produced % 4) switch
            {
                0 => ($"prep_{(subject.Animate ? "anim" : "inanim")}", (Func<bool, string>)(n => SvaPrompts.Prepositional(subject, n, prep, other, otherPlural))),
                1 => ($"obj_rel_across_{(subject.Animate ? "anim" : "inanim")}", n => SvaPrompts.ObjectRelative(subject, n, other, otherPlural, verb)),
                2 => ("subj_rel", n => SvaPrompts.SubjectRelative(person, n, verb, obj, otherPlural)),
                _ => ("simple_agrmt", n => SvaPrompts.Simple(subject, n)),
            };
            string clean = prompt(plural), corrupted = prompt(!plural);
            if (tokenizer.Count(clean) != tokenizer.Count(corrupted)) continue;
            produced++;
            yield return [clean, corrupted, group, plural ? "1" : "0"];
        }
    }
}
