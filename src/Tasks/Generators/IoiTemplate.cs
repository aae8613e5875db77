namespace Concord.Tasks.Generators;

/// <summary>
/// One IOI template of Wang et al. in its BABA form ("[B] and [A] ... [B] gave ... to [A]") and
/// how it is filled: the dataset generator and the training sampler write prompts through it, so
/// the model is trained and evaluated on exactly the prompts the dataset contains.
/// </summary>
public sealed class IoiTemplate
{
    public string Baba { get; }
    private readonly string _abba;

    public IoiTemplate(string baba)
    {
        if (!baba.EndsWith(" [A]", StringComparison.Ordinal))
            throw new DatasetException($"IOI template does not end with ' [A]': {baba}");
        Baba = baba;
        _abba = baba.Replace("[B] and [A]", "[A] and [B]");
    }

    /// <summary>
    /// The prompt (ending before the final indirect object) with <paramref name="secondSubject"/> in
    /// the place of the subject's second mention: <paramref name="b"/> for the clean prompt, a third
    /// name or <paramref name="a"/> for the corruptions.
    /// </summary>
    public string Fill(bool abba, string a, string b, string secondSubject, string place, string thing)
    {
        var template = (abba ? _abba : Baba)[..^4];
        int second = template.LastIndexOf("[B]", StringComparison.Ordinal);
        return (template[..second] + secondSubject + template[(second + 3)..])
            .Replace("[A]", a).Replace("[B]", b).Replace("[PLACE]", place).Replace("[OBJECT]", thing);
    }
}
