using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;

namespace Concord.Methods.Structure;

/// <summary>
/// Where along IG's path a layer's metric moves: per prompt, the progress u(α) = (F(α) − F(0)) /
/// (F(1) − F(0)); per layer, the median α at which u first reaches 10 %, 50 % and 90 %, and the
/// median and quartiles of u on an even grid of α (for the plot).
/// </summary>
public sealed record LayerPath(int Layer, int Prompts, double? Alpha10, double? Alpha50, double? Alpha90, double[] Grid, double[] Median, double[] Low, double[] High)
{
    /// <summary>Split IG's median split point α over the same prompts; null when split IG did not run.</summary>
    public double? SplitAlpha { get; init; }
}

public sealed record KindPath(TargetSpace Kind, IReadOnlyList<LayerPath> Layers);

public static class PathProfile
{
    /// <summary>The fractions of F(1) − F(0) whose crossing is reported.</summary>
    public static readonly double[] Fractions = [0.1, 0.5, 0.9];

    /// <summary>Points of the plotted grid over α ∈ [0, 1].</summary>
    public const int GridPoints = 101;

    /// <summary>
    /// IG's path profile of <paramref name="kind"/> over the task's prompts; null when IG did not run
    /// on it or its units carry no path (computed by an older version). Prompts whose |F(1) − F(0)|
    /// at a layer is below 0.05 × that layer's median are left out of its medians (their progress is noise).
    /// </summary>
    public static KindPath? Of(TaskResult result, TargetSpace kind)
    {
        var perBatch = result.Batches.Select(b => b.Methods.FirstOrDefault(m => m.Method == Method.Ig && m.Space == kind)).ToList();
        if (perBatch.Any(m => m is null || m.Completeness.Count == 0 || m.Completeness.Any(c => c.Check.Path is null))) return null;
        var splits = result.Batches.Select(b => b.Methods.FirstOrDefault(m => m.Method == Method.IgSplit && m.Space == kind)).ToList();
        bool split = splits.All(m => m is not null && m.Completeness.Count > 0 && m.Completeness.All(c => c.Check.Ends is not null));
        var layers = perBatch[0]!.Completeness.Select(c => c.Layer).ToList();
        var grid = Enumerable.Range(0, GridPoints).Select(i => (double)i / (GridPoints - 1)).ToArray();
        var profile = new List<LayerPath>();
        foreach (int layer in layers)
        {
            var paths = perBatch.Select(m => m!.CompletenessAt(layer)!.Path!).ToList();
            var prompts = paths.SelectMany((p, b) => Enumerable.Range(0, p.Prompts).Select(i => (Path: p, Prompt: i, Batch: b))).ToList();
            var ranges = prompts.Select(x => Math.Abs(x.Path.Metric[^1][x.Prompt] - x.Path.Metric[0][x.Prompt])).ToList();
            double median = Asymmetry.Median(ranges);
            var kept = prompts.Where((x, i) => ranges[i] > 0 && ranges[i] >= Asymmetry.MinimumGapFraction * median).ToList();
            double? Crossing(double fraction) => kept.Select(x => x.Path.Crossing(x.Prompt, fraction)).OfType<double>().ToList() is { Count: > 0 } c ? Asymmetry.Median(c) : null;
            var progress = grid.Select(a => kept.Select(x => x.Path.ProgressAt(x.Prompt, a)).Where(double.IsFinite).Order().ToArray()).ToList();
            double Quantile(double[] v, double q) => v.Length == 0 ? double.NaN : v[(int)Math.Round(q * (v.Length - 1))];
            profile.Add(new LayerPath(layer, kept.Count, Crossing(0.1), Crossing(0.5), Crossing(0.9), grid,
                progress.Select(v => Asymmetry.Median(v)).ToArray(), progress.Select(v => Quantile(v, 0.25)).ToArray(), progress.Select(v => Quantile(v, 0.75)).ToArray())
            {
                SplitAlpha = split && kept.Count > 0
                    ? Asymmetry.Median(kept.Select(x => splits[x.Batch]!.CompletenessAt(layer)!.Ends![x.Prompt]).ToList())
                    : null,
            });
        }
        return new KindPath(kind, profile);
    }
}
