using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Structure;
using Concord.Model;
using ScottPlot;

namespace Concord.Studies.Outputs;

/// <summary>
/// The AND / OR figures per task and kind: n against d for AP and IG (the AND corner (1, 0), the OR
/// corner (0, 1) and the additive diagonal n + d = 1 marked), and the interaction heatmap of the
/// chosen components' pairs (−1 AND … +1 OR).
/// </summary>
public static class StructurePlots
{
    public static string ScatterFile(TargetSpace kind) => $"asymmetry-{kind.Id()}.png";
    public static string HeatmapFile(TargetSpace kind) => $"interactions-{kind.Id()}.png";

    public static string PathFile(TargetSpace kind) => $"ig-path-{kind.Id()}.png";

    /// <summary>Median progress u(α) per layer with its interquartile band: where along the path each layer's metric moves.</summary>
    public static void IgPath(string path, KindPath profile, string task)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var (layer, i) in profile.Layers.Select((l, i) => (l, i)))
        {
            var color = palette.GetColor(i);
            var band = plot.Add.FillY(layer.Grid, layer.Low, layer.High);
            band.FillStyle.Color = color.WithAlpha(0.15);
            band.LineStyle.Width = 0;
            var line = plot.Add.ScatterLine(layer.Grid, layer.Median);
            line.Color = color;
            line.LineWidth = 2;
            line.LegendText = $"layer {layer.Layer}";
        }
        plot.ShowLegend(Alignment.UpperLeft);
        plot.XLabel("α along the path a → a'");
        plot.YLabel("(F(α) − F(0)) / (F(1) − F(0)), median and quartiles");
        plot.Title($"{task}: where IG's path moves the metric, {profile.Kind.Plural}");
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, 760, 520), extension: ".png");
    }

    /// <param name="methods">Whose n and d the scatter shows, the first drawn largest: the headline pair's second and first (AP, then IG).</param>
    public static void WriteAll(string folder, TaskStructure structure, IReadOnlyList<Method> methods, string task)
    {
        foreach (var kind in structure.Kinds)
        {
            Scatter(Path.Combine(folder, ScatterFile(kind.Kind)), kind, methods, task);
            if (kind.Pairs.Count > 0) Heatmap(Path.Combine(folder, HeatmapFile(kind.Kind)), kind, task);
        }
    }

    private static void Scatter(string path, KindStructure kind, IReadOnlyList<Method> methods, string task)
    {
        var plot = new Plot();
        var diagonal = plot.Add.Line(0, 1, 1, 0);
        diagonal.LineStyle.Pattern = LinePattern.Dashed;
        diagonal.LineColor = Colors.Gray;
        diagonal.LegendText = "additive (n + d = 1)";
        foreach (var method in methods.Select(kind.Of).OfType<MethodAsymmetry>())
        {
            var points = method.Components.Where(c => double.IsFinite(c.Noise) && double.IsFinite(c.Denoise)).ToList();
            if (points.Count == 0) continue;
            var dots = plot.Add.ScatterPoints(points.Select(c => c.Noise).ToArray(), points.Select(c => c.Denoise).ToArray());
            dots.LegendText = $"{method.Method.DisplayName} ({points.Count} {kind.Kind.Plural})";
            dots.MarkerSize = method.Method == methods[0] ? 7 : 5;
        }
        foreach (var (x, y, label) in new[] { (1.0, 0.0, "AND"), (0.0, 1.0, "OR") })
        {
            var corner = plot.Add.Marker(x, y, MarkerShape.OpenSquare, 14, Colors.Black);
            var text = plot.Add.Text(label, x, y);
            text.LabelFontSize = 13;
            text.OffsetY = -14;
            _ = corner;
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.XLabel("n: share of the gap lost when noised alone (median over prompts)");
        plot.YLabel("d: share recovered when restored alone");
        plot.Title($"{task}: {kind.Kind.Plural}, n against d");
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, 760, 620), extension: ".png");
    }

    private static void Heatmap(string path, KindStructure kind, string task)
    {
        var components = kind.Interacting;
        int n = components.Count;
        var grid = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) grid[i, j] = double.NaN;
        var slot = components.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        foreach (var pair in kind.Pairs)
            grid[slot[pair.First], slot[pair.Second]] = grid[slot[pair.Second], slot[pair.First]] = pair.Interaction;
        var plot = new Plot();
        var map = plot.Add.Heatmap(grid);
        map.Colormap = new ScottPlot.Colormaps.Balance();
        map.ManualRange = new ScottPlot.Range(-1, 1);
        map.NaNCellColor = Colors.White;
        map.Extent = new CoordinateRect(0, n - 1, 0, n - 1);
        plot.Add.ColorBar(map).Label = "I (−1 AND, +1 OR)";
        var ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, components.Select(c => c.Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        // Room for the rotated labels below the axis.
        plot.Axes.Bottom.MinimumSize = 70;
        // Heatmaps draw row 0 at the top: row i sits at y = n − 1 − i.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => n - 1 - t).ToArray(), components.Select(c => c.Label).ToArray());
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title($"{task}: I of the top {n} {kind.Kind.Plural}");
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, Math.Max(640, 240 + 40 * n), Math.Max(560, 260 + 40 * n)), extension: ".png");
    }
}
