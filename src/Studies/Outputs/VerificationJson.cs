using System.Text.Json.Nodes;
using Concord.Methods.Agreement;
using Concord.Methods.Targets;
using Concord.Methods.Interventions;
using Concord.Methods.Verification;

namespace Concord.Studies.Outputs;

/// <summary>agreement.json's "verification" section: every curve, interval, category and verdict.</summary>
public static class VerificationJson
{
    private static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static JsonArray Points(IEnumerable<CurvePoint> points) =>
        new(points.Select(p => (JsonNode)new JsonObject { ["fraction"] = Number(p.Fraction), ["size"] = p.Size, ["f"] = Number(p.Faithfulness) }).ToArray());

    private static JsonObject Stat(StatisticValue s) => s.IsDefined ? new JsonObject { ["value"] = Number(s.Value) } : new JsonObject { ["value"] = null, ["undefined"] = s.Undefined };

    public static JsonObject Of(TaskVerification v) => new()
    {
        ["analyses"] = v.Options.Analyses.Id(),
        ["ablation"] = v.Ablation.Id(),
        ["mean_ablation"] = new JsonObject
        {
            ["definition"] = "each component's mean over every real token position of the task sample's clean prompts (pads excluded)",
            ["positions"] = v.MeanPositions,
        },
        ["circuit_rule"] = "circuit C_k = the ranking's top ceil(k*N) components (at least 1); f(k) = (m(C_k) - m(empty)) / (m(full) - m(empty)) over prompt means; CPR and CMD by the trapezoid rule over the circuit's actual share of the components",
        ["kinds"] = new JsonArray(v.Kinds.Select(k => (JsonNode)new JsonObject
        {
            ["kind"] = k.Kind.Id(),
            ["faithfulness"] = k.Faithfulness is { } f ? new JsonObject
            {
                ["components"] = f.Components,
                ["metric_full"] = Number(f.MetricFull),
                ["metric_empty"] = Number(f.MetricEmpty),
                ["share_of_gap"] = f.ShareOfGap is double g ? Number(g) : null,
                ["undefined"] = f.Undefined,
                ["curves"] = new JsonArray(f.Curves.Select(c => (JsonNode)new JsonObject
                {
                    ["method"] = c.Method, ["ranking"] = c.Ranking.Id(), ["cpr"] = Number(c.Cpr), ["cmd"] = Number(c.Cmd),
                    ["cpr_95"] = c.CprInterval is { } ci ? new JsonArray(Number(ci.Low), Number(ci.High)) : null,
                    ["points"] = Points(c.Points),
                }).ToArray()),
                ["random"] = f.Random is { } r ? new JsonObject
                {
                    ["rankings"] = r.Rankings, ["cpr_mean"] = Number(r.MeanCpr), ["cpr_sd"] = Number(r.SdCpr), ["cpr_min"] = Number(r.MinCpr), ["cpr_max"] = Number(r.MaxCpr),
                    ["cmd_mean"] = Number(r.MeanCmd), ["mean"] = Points(r.Mean), ["low"] = Points(r.Low), ["high"] = Points(r.High),
                } : null,
                ["most_faithful"] = f.MostFaithful() is { } best
                    ? new JsonObject { ["method"] = best.Method, ["cpr"] = Number(best.Cpr), ["tied_with"] = best.TiedWith, ["above_chance"] = best.AboveChance }
                    : null,
            } : null,
            ["disagreements"] = k.Disagreements is { } d ? new JsonObject
            {
                ["mean_gap"] = Number(d.MeanGap),
                ["categories"] = new JsonArray(d.Categories.Select(c => (JsonNode)new JsonObject
                {
                    ["category"] = c.Category.Id(), ["prompts"] = c.Prompts, ["mean_size"] = Number(c.MeanSize),
                    ["joint_effect_resample"] = Number(c.JointResample), ["joint_effect_mean"] = Number(c.JointMean),
                    ["mean_abs_effect_resample"] = Number(c.MeanAbsResample), ["mean_abs_effect_mean"] = Number(c.MeanAbsMean),
                    ["isolated_mean_effect"] = c.IsolatedMean is double iso ? Number(iso) : null,
                }).ToArray()),
                ["verdict"] = d.Verdict,
            } : null,
            ["predictiveness_mean_ablation"] = k.Predictiveness.Count > 0 ? new JsonArray(k.Predictiveness.Select(p => (JsonNode)new JsonObject
            {
                ["method"] = p.Method, ["pearson"] = Stat(p.Pearson), ["spearman"] = Stat(p.Spearman),
            }).ToArray()) : null,
            ["predictiveness_resample"] = k.Predictiveness.Count > 0 ? "equal by construction for AP (the isolated resample effect is AP)" : null,
        }).ToArray()),
    };
}
