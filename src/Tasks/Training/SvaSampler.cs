using Concord.Model;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>
/// Subject–verb agreement in the dataset's four structures, continued by a verb of the subject's
/// number drawn from the metric's verb list; held out: subject noun × context combinations (the
/// context being the preposition or relative verb of the distractor). The bare structure ("The
/// keys") has no context, so it is never held out: holding out (keys, bare) would teach the model
/// that "The keys" is never followed by a verb, the opposite of generalisation.
/// </summary>
public sealed class SvaSampler : TaskSampler
{
    private readonly Gpt2Tokenizer _tokenizer;
    private readonly HeldOutSplit _split;
    private readonly SvaVerbs _verbs;
    private readonly IReadOnlyList<SvaNoun> _nouns, _animate;
    private readonly IReadOnlyList<string> _prepositions;
    private readonly IReadOnlyList<SvaRelativeVerb> _relativeVerbs;

    public SvaSampler(WordLists words, TaskResources resources, HeldOutSplit split)
    {
        (_tokenizer, _split, _verbs) = (resources.Tokenizer, split, resources.Verbs);
        _nouns = SvaPrompts.Nouns(words, _tokenizer);
        _animate = _nouns.Where(n => n.Animate).ToList();
        _prepositions = SvaPrompts.Prepositions(words);
        _relativeVerbs = SvaPrompts.RelativeVerbs(words);
    }

    public override TaskKind Kind => TaskKind.Sva;
    public override bool Generalises => true;

    public override TaskSample Sample(Random random, SplitSide side) => Until(() => Draw(random, side), s =>
        HeldOutSplit.Matches(s.Context != Bare && _split.IsHeldOutSvaCombination(s.Noun, s.Context), side)
        && _tokenizer.Count(s.Clean) == _tokenizer.Count(s.Corrupted), "sva noun × context").Sample;

    private const string Bare = "simple";

    private (string Noun, string Context, string Clean, string Corrupted, TaskSample Sample) Draw(Random random, SplitSide side)
    {
        // The held-out side has only the structures with a context (see the class comment).
        int structure = random.Next(side == SplitSide.HeldOut ? 3 : 4);
        var subject = Pick(random, structure == 2 ? _animate : _nouns);
        var other = Pick(random, structure == 2 ? _nouns : _animate);
        bool otherPlural = random.Next(2) == 1, plural = random.Next(2) == 1;
        string preposition = Pick(random, _prepositions);
        var verb = Pick(random, _relativeVerbs);
        (string context, string group, Func<bool, string> prompt) = structure switch
        {
            0 => ("prep:" + preposition, "prep", (Func<bool, string>)(n => SvaPrompts.Prepositional(subject, n, preposition, other, otherPlural))),
            1 => ("obj_rel:" + verb.Singular, "obj_rel_across", n => SvaPrompts.ObjectRelative(subject, n, other, otherPlural, verb)),
            2 => ("subj_rel:" + verb.Singular, "subj_rel", n => SvaPrompts.SubjectRelative(subject, n, verb, other, otherPlural)),
            _ => (Bare, "simple_agrmt", n => SvaPrompts.Simple(subject, n)),
        };
        var (singular, pluralForm) = Pick(random, _verbs.Pairs);
        var sample = new TaskSample(Kind, prompt(plural), prompt(!plural), " " + (plural ? pluralForm : singular),
            plural ? _verbs.PluralIds : _verbs.SingularIds, plural ? _verbs.SingularIds : _verbs.PluralIds, group);
        return (subject.Singular, context, sample.Clean, sample.Corrupted!, sample);
    }
}
