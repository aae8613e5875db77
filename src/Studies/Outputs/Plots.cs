using System.Globalization;
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;
using ScottPlot;

namespace Concord.Studies.Outputs;

/// <summary>The PNG plots of a task (ScottPlot 5; natives from NuGet, nothing from apt).</summary>
public static class Plots
{
    public sealed record Image(string File, string Caption);

    public const string Heatmaps = "heads-ig-vs-ap.png";
    public const string MlpBars = "mlp-layers.png";
    public const string Sweep = "sweep.png";
    public static string Scatter(TargetSpace kind) => $"scatter-{kind.Id()}.png";

    public static IEnumerable<Image> Files(PipelineOptions pipeline)
    {
        var (first, second) = Headline.Pair(pipeline) is { } pair ? (pair.First.DisplayName, pair.Second.DisplayName) : ("", "");
        yield return new Image(Heatmaps, $"{first} and {second} per head (mean over prompts), one symmetric colour scale");
        foreach (var kind in pipeline.Spaces) yield return new Image(Scatter(kind), $"{first} against {second}, {kind.Plural}, every prompt");
        yield return new Image(MlpBars, $"{Listed(pipeline.Methods.Select(m => m.DisplayName).ToList())} per MLP layer (mean over prompts)");
        var reference = pipeline.MethodCatalogue.Reference.DisplayName;
        yield return new Image(Sweep, $"agreement with {reference} against the similarity of the baseline to what {reference} patches in");
    }

    private static string Listed(IReadOnlyList<string> names) => names.Count < 2 ? string.Concat(names) : $"{string.Join(", ", names.SkipLast(1))} and {names[^1]}";

    public static void WriteAll(string folder, TaskAnalysis analysis, PipelineOptions pipeline, Gpt2Config config, string modelName)
    {
        var methods = pipeline.Methods;
        // The research question's pair (IG against AP in the built-in catalogue), whatever the catalogue's methods are.
        var headline = Headline.Pair(pipeline);
        // Every title names the model: a plot copied into a paper or a chat still says what it measured.
        string task = $"{analysis.Result.Task.Id()} on {modelName}";
        if (headline is { } heatmapPair && pipeline.Spaces.Contains(TargetSpace.Head))
            HeadHeatmaps(Path.Combine(folder, Heatmaps), analysis, heatmapPair, config, task);
        if (headline is { } scatterPair)
            foreach (var kind in pipeline.Spaces) ScatterPlot(Path.Combine(folder, Scatter(kind)), analysis, scatterPair, kind, task);
        if (pipeline.Spaces.Contains(TargetSpace.Mlp)) MlpLayers(Path.Combine(folder, MlpBars), analysis, methods, config, task);
        if (analysis.Sweep.Count > 0) SweepCurve(Path.Combine(folder, Sweep), analysis, pipeline.MethodCatalogue.Reference, task);
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, width, height), extension: ".png");
    }

    /// <summary>The pair's first method (IG, left) and second (AP, right) as layer × head grids on one symmetric scale; layer 0 on top, as labelled.</summary>
    private static void HeadHeatmaps(string path, TaskAnalysis analysis, (Method First, Method Second) pair, Gpt2Config config, string task)
    {
        if (!TaskScores.Has(analysis.Result, pair.First, TargetSpace.Head) || !TaskScores.Has(analysis.Result, pair.Second, TargetSpace.Head)) return;
        var ig = analysis.MeanScores(pair.First, TargetSpace.Head);
        var ap = analysis.MeanScores(pair.Second, TargetSpace.Head);
        int layers = config.NLayer, heads = config.NHead;
        double[,] Grid(Dictionary<Methods.Targets.Target, double> scores)
        {
            var grid = new double[layers, heads];
            foreach (var (c, v) in scores) grid[c.Layer, c.Index] = v;
            return grid;
        }
        double limit = ig.Values.Concat(ap.Values).Select(Math.Abs).DefaultIfEmpty(0).Max();
        if (limit == 0) limit = 1;
        // One grid: IG's heads, an empty (NaN) column, AP's heads. Heatmaps draw row 0 at the top,
        // so row r is layer r, centred on y = layers − 1 − r.
        var igGrid = Grid(ig);
        var apGrid = Grid(ap);
        var grid = new double[layers, 2 * heads + 1];
        for (int l = 0; l < layers; l++)
        {
            grid[l, heads] = double.NaN;
            for (int h = 0; h < heads; h++)
            {
                grid[l, h] = igGrid[l, h];
                grid[l, heads + 1 + h] = apGrid[l, h];
            }
        }
        var plot = new Plot();
        var map = plot.Add.Heatmap(grid);
        map.Colormap = new ScottPlot.Colormaps.Balance();
        map.ManualRange = new ScottPlot.Range(-limit, limit);
        map.NaNCellColor = Colors.White;
        // With the default centred cell alignment the extent runs through the outer cells' centres.
        map.Extent = new CoordinateRect(0, 2 * heads, 0, layers - 1);
        plot.Add.ColorBar(map);
        var xTicks = Enumerable.Range(0, heads).SelectMany(h => new[] { (double)h, h + heads + 1.0 }).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xTicks, xTicks.Select(x => ((int)x % (heads + 1)).ToString(CultureInfo.InvariantCulture)).ToArray());
        var yTicks = Enumerable.Range(0, layers).Select(l => (double)(layers - 1 - l)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(yTicks, Enumerable.Range(0, layers).Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(-0.5, 2 * heads + 0.5, -0.5, layers - 0.5);
        plot.XLabel($"head: {pair.First.DisplayName} (left block), {pair.Second.DisplayName} (right block)");
        plot.YLabel("layer (0 at the top)");
        plot.Title($"{task}: mean score per head, {pair.First.DisplayName} | {pair.Second.DisplayName}, shared symmetric scale");
        Save(plot, path, 140 + 60 * (2 * heads + 1), 160 + 45 * layers);
    }

    /// <summary>The pair's first method (IG, y) against its second (AP, x), every prompt and target of the space.</summary>
    private static void ScatterPlot(string path, TaskAnalysis analysis, (Method First, Method Second) methods, TargetSpace kind, string task)
    {
        var pair = analysis.Agreements.FirstOrDefault(a => a.Space == kind && a.First == methods.First && a.Second == methods.Second);
        if (pair is null) return;
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var batch in analysis.Result.Batches)
        {
            if (batch.Scores(methods.Second, kind) is not { } ap || batch.Scores(methods.First, kind) is not { } igAll) continue;
            var ig = igAll.Select(ap.Targets);
            for (int p = 0; p < ap.Prompts; p++)
                for (int j = 0; j < ap.Targets.Count; j++)
                    if (ap.Targets[j].Position is not int pos || pos < batch.Lengths[p])
                    {
                        xs.Add(ap[p, j]);
                        ys.Add(ig[p, j]);
                    }
        }
        var plot = new Plot();
        var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
        points.MarkerSize = 4;
        double lo = xs.Concat(ys).DefaultIfEmpty(0).Min(), hi = xs.Concat(ys).DefaultIfEmpty(1).Max();
        var diagonal = plot.Add.Line(lo, lo, hi, hi);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = $"{methods.First.DisplayName} = {methods.Second.DisplayName}";
        plot.XLabel($"{methods.Second.DisplayName} score");
        plot.YLabel($"{methods.First.DisplayName} score");
        var r = pair.AcrossPrompts.Pearson;
        plot.Title($"{task}, {kind.Plural}: pooled r = {pair.Pooled.Pearson}, median per-prompt r = {(r.Defined > 0 ? r.Median.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "undefined")}");
        Save(plot, path, 720, 600);
    }

    private static void MlpLayers(string path, TaskAnalysis analysis, IReadOnlyList<Method> methods, Gpt2Config config, string task)
    {
        var plot = new Plot();
        double width = 0.8 / methods.Count;
        for (int m = 0; m < methods.Count; m++)
        {
            var means = analysis.MeanScores(methods[m], TargetSpace.Mlp);
            var values = Enumerable.Range(0, config.NLayer).Select(l => means.GetValueOrDefault(new Methods.Targets.Target(l, TargetSpace.Mlp, 0))).ToArray();
            var positions = Enumerable.Range(0, config.NLayer).Select(l => l - 0.4 + width * (m + 0.5)).ToArray();
            var bars = plot.Add.Bars(positions, values);
            foreach (var bar in bars.Bars) bar.Size = width * 0.9;
            bars.LegendText = methods[m].DisplayName;
        }
        plot.ShowLegend();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, config.NLayer).Select(l => (double)l).ToArray(), Enumerable.Range(0, config.NLayer).Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("layer");
        plot.YLabel("mean score (metric units)");
        plot.Title($"{task}: whole-MLP scores per layer");
        Save(plot, path, 160 + 70 * config.NLayer, 480);
    }

    private static void SweepCurve(string path, TaskAnalysis analysis, Method reference, string task)
    {
        var plot = new Plot();
        foreach (var group in analysis.Sweep.GroupBy(s => s.Space))
        {
            var scales = group.Select(s => s.Scale).ToArray();
            // Every swept method against the reference (AP); at scale s AtP stands for s·AtP.
            foreach (var (first, second) in group.First().Pairs.Where(p => p.Second == reference).Select(p => (p.First, p.Second)))
            {
                var values = group.Select(s => s.Pair(first, second)?.AcrossPrompts.Pearson is { Defined: > 0 } r ? r.Median : double.NaN).ToArray();
                var line = plot.Add.Scatter(scales, values);
                line.LegendText = $"{group.Key.Plural}: {first.SweepName ?? first.DisplayName}↔{second.DisplayName}";
                line.MarkerSize = 7;
            }
        }
        plot.ShowLegend(Alignment.LowerLeft);
        plot.XLabel("s (AP patches a + s·Δ; IG integrates a → a + s·Δ)");
        plot.YLabel("median per-prompt Pearson r");
        plot.Title($"{task}: agreement against baseline similarity");
        Save(plot, path, 760, 520);
    }
}
