using Concord.Model;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>IOI over every template (BABA and ABBA) and name pair; held out: whole templates and name pairs.</summary>
public sealed class IoiSampler : TaskSampler
{
    private readonly Gpt2Tokenizer _tokenizer;
    private readonly HeldOutSplit _split;
    private readonly IoiCorruption _corruption;
    private readonly IReadOnlyList<IoiTemplate> _training, _heldOut;
    private readonly IReadOnlyList<string> _names, _places, _objects;

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
        string corrupted = template.Fill(abba, a, b, _corruption == IoiCorruption.IndirectObject ? a : c, place, thing);
        return new TaskSample(Kind, template.Fill(abba, a, b, b, place, thing), corrupted, " " + a,
            [_tokenizer.SingleToken(" " + a)], [_tokenizer.SingleToken(" " + b)], abba ? "ABBA" : "BABA");
    }
}
