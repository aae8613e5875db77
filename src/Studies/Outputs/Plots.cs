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
        yield return new Image(Heatmaps, "IG and AP per head (mean over prompts), one symmetric colour scale");
        foreach (var kind in pipeline.Spaces) yield return new Image(Scatter(kind), $"IG against AP, {kind.Plural}, every prompt");
        yield return new Image(MlpBars, "IG, AP and AtP per MLP layer (mean over prompts)");
        yield return new Image(Sweep, "IG–AP agreement against the similarity of IG's baseline to what AP patches in");
    }

    public static void WriteAll(string folder, TaskAnalysis analysis, PipelineOptions pipeline, Gpt2Config config, string modelName)
    {
        var methods = pipeline.Methods;
        bool igAndAp = methods.Contains(Method.Ig) && methods.Contains(Method.Ap);
        // Every title names the model: a plot copied into a paper or a chat still says what it measured.
        string task = $"{analysis.Result.Task.Id()} on {modelName}";
        if (igAndAp && pipeline.Spaces.Contains(TargetSpace.Head))
            HeadHeatmaps(Path.Combine(folder, Heatmaps), analysis, config, task);
        if (igAndAp)
            foreach (var kind in pipeline.Spaces) ScatterPlot(Path.Combine(folder, Scatter(kind)), analysis, kind, task);
        if (pipeline.Spaces.Contains(TargetSpace.Mlp)) MlpLayers(Path.Combine(folder, MlpBars), analysis, methods, config, task);
        if (analysis.Sweep.Count > 0) SweepCurve(Path.Combine(folder, Sweep), analysis, pipeline.MethodCatalogue.Reference, task);
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, width, height), extension: ".png");
    }

    /// <summary>IG (left) and AP (right) as layer × head grids on one symmetric scale; layer 0 on top, as labelled.</summary>
    private static void HeadHeatmaps(string path, TaskAnalysis analysis, Gpt2Config config, string task)
    {
        var ig = analysis.MeanScores(Method.Ig, TargetSpace.Head);
        var ap = analysis.MeanScores(Method.Ap, TargetSpace.Head);
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
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xTicks, xTicks.Select(x => ((int)x % (heads + 1)).ToString()).ToArray());
        var yTicks = Enumerable.Range(0, layers).Select(l => (double)(layers - 1 - l)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(yTicks, Enumerable.Range(0, layers).Select(l => l.ToString()).ToArray());
        plot.Axes.SetLimits(-0.5, 2 * heads + 0.5, -0.5, layers - 0.5);
        plot.XLabel("head: IG (left block), AP (right block)");
        plot.YLabel("layer (0 at the top)");
        plot.Title($"{task}: mean score per head, IG | AP, shared symmetric scale");
        Save(plot, path, 140 + 60 * (2 * heads + 1), 160 + 45 * layers);
    }

    private static void ScatterPlot(string path, TaskAnalysis analysis, TargetSpace kind, string task)
    {
        var pair = analysis.Agreements.FirstOrDefault(a => a.Space == kind && a.First == Method.Ig && a.Second == Method.Ap);
        if (pair is null) return;
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var batch in analysis.Result.Batches)
        {
            if (batch.Scores(Method.Ap, kind) is not { } ap || batch.Scores(Method.Ig, kind) is not { } igAll) continue;
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
        diagonal.LegendText = "IG = AP";
        plot.XLabel("AP score");
        plot.YLabel("IG score");
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
            Enumerable.Range(0, config.NLayer).Select(l => (double)l).ToArray(), Enumerable.Range(0, config.NLayer).Select(l => l.ToString()).ToArray());
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
                line.LegendText = $"{group.Key.Plural}: {(first == Method.Atp ? "s·AtP" : first.DisplayName)}↔{second.DisplayName}";
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
