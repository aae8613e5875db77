using System.Text.Json;
using System.Text.Json.Nodes;
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Tasks;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>
/// agreement.json of one task: the metric, every pair's statistics per prompt and pooled, IG's
/// convergence and completeness, the sweep, and the run's provenance (with the verification,
/// structure and IG path sections added by <see cref="AgreementJsonExporter"/>).
/// </summary>
public static class AgreementJson
{
    private static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static JsonObject Stat(StatisticValue s) => s.IsDefined
        ? new JsonObject { ["value"] = Number(s.Value) }
        : new JsonObject { ["value"] = null, ["undefined"] = s.Undefined };

    private static JsonObject Stats(StatisticValues s, StatisticCatalogue statistics) => new(statistics.Select(statistic => KeyValuePair.Create(statistic.Id, (JsonNode?)Stat(s[statistic]))));

    public static JsonObject SummaryJson(Summary s) => new()
    {
        ["mean"] = Number(s.Mean), ["sd"] = Number(s.StandardDeviation), ["median"] = Number(s.Median),
        ["min"] = Number(s.Min), ["max"] = Number(s.Max), ["defined"] = s.Defined, ["undefined"] = s.Undefined,
    };

    private static JsonObject Pair(PairAgreement p, IReadOnlyList<int> rows, PipelineOptions options, TaskAnalysis analysis)
    {
        var across = new JsonObject(options.StatisticCatalogue.Select(s => KeyValuePair.Create(s.Id, (JsonNode?)SummaryJson(p.AcrossPrompts[s]))));
        return new JsonObject
        {
            ["kind"] = p.Space.Id(),
            ["pair"] = p.Label,
            ["components"] = p.Targets,
            ["top_k"] = p.TopK,
            ["across_prompts"] = across,
            ["pooled"] = Stats(p.Pooled, options.StatisticCatalogue),
            ["pooled_normalised"] = p.Normalised is { } normalised ? Stats(normalised.Pooled, options.StatisticCatalogue) : null,
            ["equal_by_construction"] = TaskAnalysis.EqualByConstruction(p, options),
            // False where IG of this kind did not converge on some prompt (see ig_convergence): then the pair is a quadrature artefact.
            ["evidence"] = analysis.IsEvidence(p),
            ["per_prompt"] = new JsonArray(p.PerPrompt.Select((s, i) => (JsonNode)new JsonObject { ["row"] = rows[i], ["stats"] = Stats(s, options.StatisticCatalogue) }).ToArray()),
            ["largest_disagreements"] = new JsonArray(p.LargestDisagreements.Select(d => (JsonNode)new JsonObject
            {
                ["row"] = d.Prompt, ["component"] = d.Target.Label, ["first"] = Number(d.First), ["second"] = Number(d.Second),
            }).ToArray()),
        };
    }

    /// <param name="dtype">The number type of the run, whose round-off allowance the convergence rule states.</param>
    public static JsonObject Build(TaskDataset dataset, TaskAnalysis analysis, PipelineOptions options, TorchSharp.torch.ScalarType dtype, JsonObject provenance)
    {
        var rows = analysis.Result.Batches.SelectMany(b => b.Rows).ToList();
        return new JsonObject
        {
            ["task"] = dataset.Kind.Id(),
            ["file"] = Path.GetFullPath(dataset.File),
            ["rows"] = new JsonArray(rows.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
            ["metric"] = new JsonObject
            {
                ["readout"] = dataset.Readout.ToString(),
                ["clean"] = SummaryJson(analysis.CleanMetric),
                ["corrupted"] = SummaryJson(analysis.CorruptedMetric),
            },
            ["agreement"] = new JsonArray(analysis.Agreements.Select(p => (JsonNode)Pair(p, rows, options, analysis)).ToArray()),
            ["normalised_view"] = new JsonObject
            {
                ["excluded_below_abs_effect"] = Number(analysis.NormalisedExclusion.Threshold),
                ["rule"] = $"prompts with |F(a') − F(a)| below {TaskAnalysis.NormalisedMinimumFraction} × the median are left out of the normalised pooled statistics",
                ["excluded_prompts"] = analysis.NormalisedExclusion.Excluded,
                ["prompts"] = analysis.NormalisedExclusion.Prompts,
            },
            ["ig_convergence"] = new JsonArray(analysis.Verdicts.Select(v => (JsonNode)new JsonObject
            {
                ["kind"] = v.Kind.Id(), ["tolerance"] = v.Tolerance, ["converged"] = v.Converged, ["prompts"] = v.Prompts,
                ["unconverged_rows"] = new JsonArray(v.UnconvergedRows.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
                ["max_relative_error"] = Number(v.WorstRelativeError),
                ["within_round_off_allowance_only_rows"] = new JsonArray(v.WithinAllowanceRows.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
                ["max_relative_error_within_allowance"] = Number(v.WorstWithinAllowance),
                ["rule"] = "converged when |Σ IG − (F(end) − F(start))| ≤ τ·max(|F(end) − F(start)|, 1 % of the batch's largest) + r at every layer, with " + IntegratedGradients.RoundOffAllowanceText(dtype),
                ["method"] = v.Method.Id(),
            }).ToArray()),
            ["ig_completeness"] = new JsonArray(analysis.Convergence.Select(c => (JsonNode)new JsonObject
            {
                ["kind"] = c.Kind.Id(), ["layer"] = c.Layer,
                ["max_abs_delta"] = Number(c.MaxAbsDelta), ["mean_abs_delta"] = Number(c.MeanAbsDelta), ["max_abs_expected"] = Number(c.MaxAbsExpected),
                ["steps_min"] = c.MinSteps, ["steps_max"] = c.MaxSteps,
                ["method"] = c.Method.Id(),
            }).ToArray()),
            ["sweep"] = new JsonArray(analysis.Sweep.Select(s => (JsonNode)new JsonObject
            {
                ["kind"] = s.Space.Id(), ["scale"] = s.Scale,
                // Keyed by the pair's method ids, e.g. ig_ap_pearson; at scale s AtP's scores are s·AtP.
                ["pairs"] = new JsonObject(s.Pairs.Select(p => KeyValuePair.Create($"{p.First.Id()}_{p.Second.Id()}",
                    (JsonNode?)new JsonObject(options.StatisticCatalogue.Select(st => KeyValuePair.Create(st.Id, (JsonNode?)SummaryJson(p.AcrossPrompts[st]))))))),
            }).ToArray()),
            ["run"] = provenance.DeepClone(),
        };
    }
}
