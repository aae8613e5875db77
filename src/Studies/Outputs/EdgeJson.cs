using System.Text.Json.Nodes;
using Concord.Methods.Agreement;
using Concord.Methods.Edges;

namespace Concord.Studies.Outputs;

/// <summary>agreement.json's <c>edges</c> section: the graph, each pair's agreement, edge IG's completeness, the strongest path.</summary>
public static class EdgeJson
{
    private static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static JsonObject Stat(StatisticValue s) => s.IsDefined
        ? new JsonObject { ["value"] = Number(s.Value) }
        : new JsonObject { ["value"] = null, ["undefined"] = s.Undefined };

    private static JsonObject Curve(EdgeFaithfulnessCurve c) => new()
    {
        ["method"] = c.Method,
        ["ranking"] = c.Ranking.ToString().ToLowerInvariant(),
        ["cpr"] = Number(c.Cpr),
        ["cpr_95"] = c.CprInterval is { } ci ? new JsonArray(Number(ci.Low), Number(ci.High)) : null,
        ["cmd"] = Number(c.Cmd),
        ["circuits"] = new JsonArray(c.Rows.Select(r => (JsonNode)new JsonObject
        {
            ["percent"] = Number(r.RequestedPercent), ["requested"] = r.Requested, ["edges"] = r.EdgeCount, ["share"] = Number(r.Share), ["f"] = Number(r.Faithfulness),
        }).ToArray()),
    };

    private static JsonObject Faithfulness(EdgeFaithfulnessResult f) => new()
    {
        ["rule"] = "f(k) = (m̄(C) − m̄(∅)) / (m̄(full) − m̄(∅)), every edge outside the pruned circuit C moved to z̃; CPR = ∫ f, CMD = ∫ |1 − f| by trapezoid over the real share of edges",
        ["metric_full"] = Number(f.MetricFull),
        ["metric_empty"] = Number(f.MetricEmpty),
        ["undefined"] = f.Undefined,
        ["curves"] = new JsonArray(f.Curves.Select(c => (JsonNode)Curve(c)).ToArray()),
        ["random"] = f.Random is { } r ? new JsonObject
        {
            ["seeds"] = new JsonArray(r.Seeds.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            ["mean_cpr"] = Number(r.MeanCpr), ["mean_cmd"] = Number(r.MeanCmd),
            ["curves"] = new JsonArray(r.Curves.Select(c => (JsonNode)Curve(c)).ToArray()),
        } : null,
    };

    public static JsonObject Of(TaskEdges edges, double topFraction)
    {
        var graph = edges.Graph;
        var section = new JsonObject
        {
            ["graph"] = new JsonObject { ["layers"] = graph.Layers, ["heads"] = graph.Heads, ["edges"] = graph.EdgeCount, ["naming"] = "hannamw/EAP-IG" },
            ["methods"] = new JsonArray(edges.Methods.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()),
            ["sign"] = "F(θ) − F(0) in metric units, F the task metric; θ = 1 moves an edge's sender to the other run's value (noising: corrupted)",
            ["agreement"] = new JsonArray(edges.Pairs.Select(p =>
            {
                var a = EdgePairAgreement.Of(edges.Scores[p.First], edges.Scores[p.Second], topFraction);
                return (JsonNode)new JsonObject
                {
                    ["pair"] = $"{a.First}–{a.Second}",
                    ["across_prompts"] = new JsonObject
                    {
                        ["spearman"] = AgreementJson.SummaryJson(a.Spearman),
                        ["pearson"] = AgreementJson.SummaryJson(a.Pearson),
                        ["jaccard"] = AgreementJson.SummaryJson(a.Jaccard),
                    },
                    ["pooled"] = new JsonObject { ["spearman"] = Stat(a.PooledSpearman), ["pearson"] = Stat(a.PooledPearson), ["jaccard"] = Stat(a.PooledJaccard) },
                };
            }).ToArray()),
        };
        if (edges.Completeness.Count > 0)
            section["ig_completeness"] = new JsonObject
            {
                ["converged"] = edges.CompletenessMet,
                ["max_abs_error"] = Number(edges.Completeness.SelectMany(c => c.Delta).Max(Math.Abs)),
                ["evaluations_per_batch"] = new JsonArray(edges.Completeness.Select(c => (JsonNode)JsonValue.Create(c.Evaluations)).ToArray()),
                ["stopped"] = new JsonArray(edges.Completeness.Where(c => c.Stopped is not null).Select(c => (JsonNode)JsonValue.Create(c.Stopped)!).ToArray()),
            };
        if (edges.Faithfulness is { } faithfulness) section["faithfulness"] = Faithfulness(faithfulness);
        string reference = edges.Reference;
        var path = StrongestPath.Of(edges, reference);
        section["strongest_path"] = new JsonObject
        {
            ["by"] = reference,
            ["edges"] = new JsonArray(path.Edges.Select((e, i) => (JsonNode)new JsonObject(
                path.Scores.Select(kv => KeyValuePair.Create(kv.Key, Number(kv.Value[i]))).Prepend(KeyValuePair.Create("edge", (JsonNode?)JsonValue.Create(graph[e].Name))))).ToArray()),
        };
        return section;
    }
}
