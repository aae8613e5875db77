using Concord.Methods.Targets;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Results;

/// <summary>
/// Scores of one method for a list of components, per prompt: <c>Values[prompt, slot]</c> is the
/// score of <c>Targets[slot]</c>. Raw effects in metric units.
/// </summary>
public sealed class ScoreSet
{
    /// <summary>
    /// The method's stable id, as scores.csv and unit files name it. An id rather than the method's
    /// descriptor: the descriptor's factory returns these sets, so naming it here would tie the
    /// results to the methods that produce them both ways.
    /// </summary>
    public string MethodId { get; }
    public IReadOnlyList<Target> Targets { get; }
    public double[,] Values { get; }
    public int Prompts => Values.GetLength(0);

    public ScoreSet(string methodId, IReadOnlyList<Target> components, double[,] values)
    {
        if (values.GetLength(1) != components.Count)
            throw new ArgumentException($"{values.GetLength(1)} score columns for {components.Count} components");
        MethodId = methodId;
        Targets = components;
        Values = values;
    }

    public double this[int prompt, int slot] => Values[prompt, slot];

    public double[] Row(int prompt) => Enumerable.Range(0, Targets.Count).Select(s => Values[prompt, s]).ToArray();

    /// <summary>Scores [batch, C] or [batch, pos, C] of one layer as a score set.</summary>
    public static ScoreSet FromLayer(string methodId, TargetSpace kind, int layer, Tensor scores, IReadOnlyList<int>? indices = null)
    {
        var data = scores.ToDoubles();
        int batch = (int)scores.shape[0];
        bool perPosition = scores.dim() == 3;
        int positions = perPosition ? (int)scores.shape[1] : 1;
        int perPos = (int)scores.shape[^1];
        var componentIndices = indices ?? Enumerable.Range(0, perPos).ToArray();
        var components = new List<Target>();
        for (int p = 0; p < positions; p++)
            foreach (var c in componentIndices)
                components.Add(new Target(layer, kind, c, perPosition ? p : null));
        var values = new double[batch, components.Count];
        for (int b = 0; b < batch; b++)
            for (int p = 0; p < positions; p++)
                for (int j = 0; j < perPos; j++)
                    values[b, p * perPos + j] = data[(b * positions + p) * perPos + j];
        return new ScoreSet(methodId, components, values);
    }

    /// <summary>Concatenates score sets of one method over the same prompts (e.g. all layers).</summary>
    public static ScoreSet Concat(string methodId, IEnumerable<ScoreSet> parts)
    {
        var list = parts.ToList();
        if (list.Count == 0) throw new ArgumentException("nothing to concatenate");
        int prompts = list[0].Prompts;
        var components = list.SelectMany(s => s.Targets).ToList();
        var values = new double[prompts, components.Count];
        int offset = 0;
        foreach (var s in list)
        {
            if (s.Prompts != prompts) throw new ArgumentException("score sets cover different prompts");
            for (int b = 0; b < prompts; b++)
                for (int j = 0; j < s.Targets.Count; j++)
                    values[b, offset + j] = s.Values[b, j];
            offset += s.Targets.Count;
        }
        return new ScoreSet(methodId, components, values);
    }

    /// <summary>The scores of the given components, in that order (e.g. to align AP's neuron subset with IG).</summary>
    public ScoreSet Select(IReadOnlyList<Target> components)
    {
        var index = Targets.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        var values = new double[Prompts, components.Count];
        for (int j = 0; j < components.Count; j++)
        {
            if (!index.TryGetValue(components[j], out int slot)) throw new KeyNotFoundException($"{MethodId} has no score for {components[j]}");
            for (int b = 0; b < Prompts; b++) values[b, j] = Values[b, slot];
        }
        return new ScoreSet(MethodId, components, values);
    }

    /// <summary>Every score times <paramref name="factor"/> (s·AtP, AP's and IG's common limit at sweep scale s).</summary>
    public ScoreSet Scaled(double factor)
    {
        var values = (double[,])Values.Clone();
        for (int b = 0; b < Prompts; b++)
            for (int j = 0; j < Targets.Count; j++) values[b, j] *= factor;
        return new ScoreSet(MethodId, Targets, values);
    }

    /// <summary>Scores divided per prompt by a denominator (the normalised view uses the same one for every method).</summary>
    public ScoreSet Normalised(IReadOnlyList<double> denominators)
    {
        var values = (double[,])Values.Clone();
        for (int b = 0; b < Prompts; b++)
            for (int j = 0; j < Targets.Count; j++)
                values[b, j] /= denominators[b];
        return new ScoreSet(MethodId, Targets, values);
    }
}
