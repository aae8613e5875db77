using Concord.Model;
using Concord.Tasks.Generators;

namespace Concord.Tasks.Training;

/// <summary>
/// Greater-than: "The [noun] lasted from the year XXYY to the year XX" continued by an end year
/// drawn uniformly from those after the start; held out: start years (century and YY together).
/// </summary>
public sealed class GreaterThanSampler : TaskSampler
{
    private readonly IReadOnlyList<string> _nouns;
    private readonly IReadOnlyList<(int Century, int Yy)> _training, _heldOut;
    private readonly YearTokens _years;

    public GreaterThanSampler(WordLists words, TaskResources resources, HeldOutSplit split)
    {
        var tokenizer = resources.Tokenizer;
        _years = resources.YearTokens;
        _nouns = words.Lines("greater_than_nouns.txt").Where(n => tokenizer.IsSingleToken(" " + n)).ToList();
        // The dataset's years: centuries 11..17, YY 02..98 (01 is the corruption, 99 leaves nothing greater).
        var years = (from century in Enumerable.Range(11, 7)
                     where GreaterThanGenerator.Splits(tokenizer, century, 1)
                     from yy in Enumerable.Range(2, 97)
                     where GreaterThanGenerator.Splits(tokenizer, century, yy)
                     select (century, yy)).ToList();
        _training = years.Where(y => !split.IsHeldOutYear(y.century, y.yy)).ToList();
        _heldOut = years.Where(y => split.IsHeldOutYear(y.century, y.yy)).ToList();
    }

    public override TaskKind Kind => TaskKind.GreaterThan;
    public override bool Generalises => true;
    public IReadOnlyList<(int Century, int Yy)> HeldOutYears => _heldOut;

    public override TaskSample Sample(Random random, SplitSide side)
    {
        var (century, yy) = Pick(random, side == SplitSide.HeldOut ? _heldOut : _training);
        string noun = Pick(random, _nouns);
        int end = random.Next(yy + 1, 100);
        return new TaskSample(Kind, GreaterThanGenerator.Prompt(noun, century, yy), GreaterThanGenerator.Prompt(noun, century, 1),
            $"{end:00}",
            Enumerable.Range(yy + 1, 99 - yy).Select(y => _years[y]).ToArray(),
            Enumerable.Range(0, yy + 1).Select(y => _years[y]).ToArray(),
            $"{century}{yy:00}");
    }
}
