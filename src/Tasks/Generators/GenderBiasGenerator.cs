using Concord.Model;

namespace Concord.Tasks.Generators;

/// <summary>Gender bias: every Vig et al. template × every single-token profession; the corrupted prompt uses the other gender's noun.</summary>
public sealed class GenderBiasGenerator : DatasetGenerator
{
    public override TaskKind Kind => TaskKind.GenderBias;
    public override IReadOnlyList<string> Header => ["clean", "corrupted", "clean_answer_idx", "corrupted_answer_idx", "label"];

    public override IEnumerable<string[]> Rows(WordLists words, Random random, Gpt2Tokenizer tokenizer)
    {
        var templates = words.Lines("gender_templates.txt");
        string he = Id(tokenizer, " he"), she = Id(tokenizer, " she");
        foreach (var entry in words.Table("professions.tsv", 2))
        {
            var (profession, stereotype) = (entry[0], entry[1]);
            if (!tokenizer.IsSingleToken(" " + profession)) continue;
            bool male = stereotype switch
            {
                "male" => true,
                "female" => false,
                _ => throw new DatasetException($"professions.tsv: '{profession}' has label '{stereotype}', expected male or female"),
            };
            foreach (var template in templates)
                yield return
                [
                    template.Replace("[PROFESSION]", profession),
                    template.Replace("[PROFESSION]", male ? "woman" : "man"),
                    male ? he : she,
                    male ? she : he,
                    male ? "1" : "0",
                ];
        }
    }
}
