namespace Concord.Tasks.Generators;

/// <summary>A noun with its singular and plural forms, as listed in sva_nouns.tsv.</summary>
public sealed record SvaNoun(string Singular, string Plural, bool Animate)
{
    public string Form(bool plural) => plural ? Plural : Singular;
}

/// <summary>A transitive verb in its third-person singular and plural forms (the relative clauses' verbs).</summary>
public sealed record SvaRelativeVerb(string Singular, string Plural)
{
    public string Form(bool plural) => plural ? Plural : Singular;
}

/// <summary>
/// The four SVA prompt structures (Marvin &amp; Linzen 2018 style). <c>n</c> is the subject's number;
/// the dataset generator and the training sampler build prompts only through these.
/// </summary>
public static class SvaPrompts
{
    public static string Prepositional(SvaNoun subject, bool n, string preposition, SvaNoun other, bool otherPlural) =>
        $"The {subject.Form(n)} {preposition} the {other.Form(otherPlural)}";

    public static string ObjectRelative(SvaNoun subject, bool n, SvaNoun other, bool otherPlural, SvaRelativeVerb verb) =>
        $"The {subject.Form(n)} that the {other.Form(otherPlural)} {verb.Form(otherPlural)}";

    /// <summary>The relative clause's verb agrees with the subject, so it flips with it.</summary>
    public static string SubjectRelative(SvaNoun person, bool n, SvaRelativeVerb verb, SvaNoun obj, bool objPlural) =>
        $"The {person.Form(n)} that {verb.Form(n)} the {obj.Form(objPlural)}";

    public static string Simple(SvaNoun subject, bool n) => $"The {subject.Form(n)}";

    public static IReadOnlyList<SvaNoun> Nouns(WordLists words, Model.Gpt2Tokenizer tokenizer) =>
        words.Table("sva_nouns.tsv", 3)
            .Where(n => tokenizer.IsSingleToken(" " + n[0]) && tokenizer.IsSingleToken(" " + n[1]))
            .Select(n => new SvaNoun(n[0], n[1], n[2] == "animate")).ToList();

    public static IReadOnlyList<string> Prepositions(WordLists words) =>
        words.Table("sva_context.tsv", 3).Where(c => c[0] == "prep").Select(c => c[1]).ToList();

    public static IReadOnlyList<SvaRelativeVerb> RelativeVerbs(WordLists words) =>
        words.Table("sva_context.tsv", 3).Where(c => c[0] == "rel").Select(c => new SvaRelativeVerb(c[1], c[2])).ToList();
}
