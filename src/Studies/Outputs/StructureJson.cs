using System.Text.Json.Nodes;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Structure;

namespace Concord.Studies.Outputs;

/// <summary>agreement.json's "structure" section: every component's n, d and A per method, the candidates and every pair's interaction.</summary>
public static class StructureJson
{
    private static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    /// <param name="checkedMethod">The headline pair's method with a completeness check (IG), whose n and d each candidate carries as "&lt;id&gt;_n", "&lt;id&gt;_d".</param>
    public static JsonObject Of(TaskStructure s, TaskAnalysis? opposite, Methods.Attribution.Method? checkedMethod) => new()
    {
        ["definitions"] = "G = m(clean) - m(corrupted) per prompt; n = -score_noising / G, d = score_denoising / G, A = n - d (medians over kept prompts); " +
                          "candidates: |A| >= 0.5 and max(n, d) >= 0.1 by the candidates_by method; pairs: n_ij = -E({i,j}) / G under resample noising, I = n_ij - n_i - n_j (AND -1, OR +1)",
        ["prompts"] = s.Prompts,
        ["kept_prompts"] = s.KeptPrompts,
        ["opposite_direction"] = opposite is null ? null : new JsonArray(opposite.Agreements.Select(p => (JsonNode)new JsonObject
        {
            ["kind"] = p.Space.Id(), ["pair"] = p.Label,
            ["pearson_median"] = p.AcrossPrompts[Methods.Agreement.AgreementStatistic.Pearson] is { Defined: > 0 } r ? Number(r.Median) : null,
        }).ToArray()),
        ["kinds"] = new JsonArray(s.Kinds.Select(k => (JsonNode)new JsonObject
        {
            ["kind"] = k.Kind.Id(),
            ["candidates_by"] = k.CandidatesBy.Id(),
            ["and_like"] = k.AndLike,
            ["or_like"] = k.OrLike,
            ["and_pairs"] = k.AndPairs,
            ["or_pairs"] = k.OrPairs,
            ["methods"] = new JsonObject(k.Methods.Select(m => KeyValuePair.Create(m.Method.Id(), (JsonNode?)new JsonArray(m.Components.Select(c => (JsonNode)new JsonObject
            {
                ["component"] = c.Target.Label, ["n"] = Number(c.Noise), ["d"] = Number(c.Denoise), ["a"] = Number(c.A),
            }).ToArray())))),
            ["candidates"] = new JsonArray(k.Candidates.Select(c => (JsonNode)new JsonObject
            {
                ["component"] = c.Target.Label, ["n"] = Number(c.Noise), ["d"] = Number(c.Denoise), ["a"] = Number(c.A),
                [$"{checkedMethod?.Id()}_n"] = checkedMethod is not null && k.Of(checkedMethod)?.Of(c.Target) is { } ig ? Number(ig.Noise) : null,
                [$"{checkedMethod?.Id()}_d"] = checkedMethod is not null && k.Of(checkedMethod)?.Of(c.Target) is { } ig2 ? Number(ig2.Denoise) : null,
            }).ToArray()),
            ["interacting"] = new JsonArray(k.Interacting.Select(c => (JsonNode)JsonValue.Create(c.Label)).ToArray()),
            ["pairs"] = new JsonArray(k.Pairs.Select(p => (JsonNode)new JsonObject
            {
                ["first"] = p.First.Label, ["second"] = p.Second.Label, ["joint"] = Number(p.Joint), ["interaction"] = Number(p.Interaction),
                ["gate"] = p.Gate, ["confirmation"] = k.Confirmation(p).Id(),
            }).ToArray()),
        }).ToArray()),
    };

    /// <summary>agreement.json's "ig_path": per kind and layer, the median α of the 10 / 50 / 90 % crossings.</summary>
    public static JsonObject Paths(IReadOnlyList<KindPath> paths) => new()
    {
        ["definition"] = "per prompt u(alpha) = (F(a + alpha (a' - a)) - F(a)) / (F(a') - F(a)) at the layer's hook, linear between the points IG evaluated; median over prompts (|F(a') - F(a)| >= 0.05 x the layer's median) of the first alpha with u >= 0.1, 0.5, 0.9",
        ["kinds"] = new JsonArray(paths.Select(p => (JsonNode)new JsonObject
        {
            ["kind"] = p.Kind.Id(),
            ["layers"] = new JsonArray(p.Layers.Select(l =>
            {
                var layer = new JsonObject
                {
                    ["layer"] = l.Layer, ["prompts"] = l.Prompts,
                    ["alpha_10"] = l.Alpha10 is double a ? Number(a) : null, ["alpha_50"] = l.Alpha50 is double b ? Number(b) : null, ["alpha_90"] = l.Alpha90 is double c ? Number(c) : null,
                };
                // Only when split IG ran, so the file of a run without it is what it always was.
                if (l.SplitAlpha is double split) layer["split_ig_alpha"] = Number(split);
                return (JsonNode)layer;
            }).ToArray()),
        }).ToArray()),
    };
}
