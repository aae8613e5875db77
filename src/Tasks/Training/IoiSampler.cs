using Concord.Model;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>
/// IOI over every template (BABA and ABBA) and name pair; held out: whole templates and name pairs.
/// Half of the training draws have 1–4 filler words (taken from the training templates themselves)
/// inserted at random places before the final "to": a small model trained on a dozen fixed
/// templates otherwise learns where the names sit in each template rather than which name is
/// repeated, and fails on templates it has not seen.
/// </summary>
public sealed class IoiSampler : TaskSampler
{
    /// <summary>Share of training draws with filler words inserted.</summary>
    public const double FillerShare = 0.5;
    public const int MaxFillers = 4;

    private readonly Gpt2Tokenizer _tokenizer;
    private readonly HeldOutSplit _split;
    private readonly IoiCorruption _corruption;
    private readonly IReadOnlyList<IoiTemplate> _training, _heldOut;
    private readonly IReadOnlyList<string> _names, _places, _objects, _fillers;

    public IoiSampler(WordLists words, Gpt2Tokenizer tokenizer, HeldOutSplit split, IoiCorruption corruption)
    {
        (_tokenizer, _split, _corruption) = (tokenizer, split, corruption);
        var templates = words.Lines("ioi_templates.txt");
        var heldOut = split.HeldOutTemplates(templates);
        _training = templates.Where(t => !heldOut.Contains(t)).Select(t => new IoiTemplate(t)).ToList();
        _heldOut = templates.Where(heldOut.Contains).Select(t => new IoiTemplate(t)).ToList();
        _names = words.Lines("names.txt").Where(n => tokenizer.IsSingleToken(" " + n)).ToList();
        _places = words.Lines("places.txt");
        _objects = words.Lines("objects.txt");
        _fillers = _training.SelectMany(t => t.Baba.Split(' '))
            .Select(w => w.Trim(',', '.'))
            .Where(w => w.Length > 0 && !w.Contains('[') && w.All(char.IsLower))
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public override TaskKind Kind => TaskKind.Ioi;
    public override bool Generalises => true;
    public IReadOnlyList<IoiTemplate> HeldOutTemplates => _heldOut;

    public override TaskSample Sample(Random random, SplitSide side)
    {
        var template = Pick(random, side == SplitSide.HeldOut ? _heldOut : _training);
        bool abba = random.Next(2) == 1;
        var (a, b) = Until(() => (A: Pick(random, _names), B: Pick(random, _names)),
            p => p.A != p.B && HeldOutSplit.Matches(_split.IsHeldOutPair(p.A, p.B), side), "ioi name pairs");
        string c = Until(() => Pick(random, _names), n => n != a && n != b, "ioi third name");
        string place = Pick(random, _places), thing = Pick(random, _objects);
        string clean = template.Fill(abba, a, b, b, place, thing);
        string corrupted = template.Fill(abba, a, b, _corruption == IoiCorruption.IndirectObject ? a : c, place, thing);
        if (side == SplitSide.Training && random.NextDouble() < FillerShare)
        {
            var cleanWords = clean.Split(' ').ToList();
            var corruptedWords = corrupted.Split(' ').ToList();
            for (int k = random.Next(1, MaxFillers + 1); k > 0; k--)
            {
                // Anywhere after the first word and before the last ("to"): the prompt still ends where the answer follows.
                int at = random.Next(1, cleanWords.Count - 1);
                string filler = Pick(random, _fillers);
                cleanWords.Insert(at, filler);
                corruptedWords.Insert(at, filler);
            }
            (clean, corrupted) = (string.Join(' ', cleanWords), string.Join(' ', corruptedWords));
        }
        return new TaskSample(Kind, clean, corrupted, " " + a,
            [_tokenizer.SingleToken(" " + a)], [_tokenizer.SingleToken(" " + b)], abba ? "ABBA" : "BABA");
    }
}
