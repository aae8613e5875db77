using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Methods.Verification;
using Concord.Model;
using ScottPlot;

namespace Concord.Studies.Outputs;

/// <summary>A faithfulness-curve PNG per task and kind: one line per method (signed ranking), the random rankings' range shaded.</summary>
public static class VerificationPlots
{
    public static string File(TargetSpace kind) => $"faithfulness-{kind.Id()}.png";

    public static void WriteAll(string folder, TaskVerification verification, Methods.Attribution.MethodCatalogue methods, string task)
    {
        foreach (var kind in verification.Kinds)
            if (kind.Faithfulness is { Undefined: null } f)
                Curves(Path.Combine(folder, File(kind.Kind)), f, kind.Kind, methods, task, verification.Ablation.Id());
    }

    private static void Curves(string path, KindFaithfulness f, TargetSpace kind, Methods.Attribution.MethodCatalogue methods, string task, string ablation)
    {
        var plot = new Plot();
        if (f.Random is { } random)
        {
            var band = plot.Add.FillY(random.Low.Select(p => p.Fraction).ToArray(), random.Low.Select(p => p.Faithfulness).ToArray(), random.High.Select(p => p.Faithfulness).ToArray());
            band.FillStyle.Color = Colors.Gray.WithAlpha(0.3);
            band.LegendText = $"random rankings ({random.Rankings}), range";
        }
        foreach (var curve in f.Curves.Where(c => c.Ranking == RankingKind.Signed))
        {
            var line = plot.Add.Scatter(curve.Points.Select(p => p.Fraction).ToArray(), curve.Points.Select(p => p.Faithfulness).ToArray());
            line.LegendText = FormattableString.Invariant($"{VerificationReport.Name(methods, curve.Method)} (CPR {curve.Cpr:F3})");
            line.MarkerSize = 6;
        }
        plot.ShowLegend(Alignment.LowerRight);
        plot.XLabel($"circuit size k (share of the {f.Components} {kind.Plural}; the rest {ablation}-ablated)");
        plot.YLabel("faithfulness f(k)");
        plot.Title($"{task}: faithfulness of each method's top {kind.Plural}");
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, 760, 520), extension: ".png");
    }
}
