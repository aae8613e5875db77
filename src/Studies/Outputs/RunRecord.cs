using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Evaluation;
using Concord.Tasks.Models;
using Concord.Studies;

namespace Concord.Studies.Outputs;

/// <summary>
/// run.json: everything needed to say where a run's numbers came from — Concord's version and
/// commit, the model by content, each dataset by content with the rows used and dropped, every
/// option, the machine, and when. agreement.json embeds it; report.md links it.
/// </summary>
public static class RunRecord
{
    public const string FileName = "run.json";

    /// <summary>Concord's version and the commit it was built from (empty when built outside git).</summary>
    public static (string Version, string Commit) Version() => ConcordVersion.Current;

    public static JsonObject Build(Study study, StudyOutput output, DateTimeOffset started, DateTimeOffset? finished)
    {
        var model = study.ResolvedModel;
        var datasets = study.Tasks.Select(t => t.Record).ToList();
        string dtype = StudyFingerprints.DTypeId(study.Model.DType);
        var (version, commit) = Version();
        var c = model.Identity.Config;
        var record = new JsonObject
        {
            ["concord"] = new JsonObject { ["version"] = version, ["commit"] = commit },
            ["model"] = new JsonObject
            {
                ["name"] = model.Name,
                ["description"] = model.Description,
                ["kind"] = model.Kind.ToString().ToLowerInvariant(),
                ["folder"] = model.Folder,
                ["weights_sha256"] = model.Identity.WeightsSha256,
                ["weights_bytes"] = model.Identity.WeightsBytes,
                ["config_sha256"] = model.Identity.ConfigSha256,
                ["layers"] = c.NLayer, ["heads"] = c.NHead, ["d_model"] = c.NEmbd, ["d_mlp"] = c.DMlp,
                ["context"] = c.NPositions, ["vocabulary"] = c.VocabSize, ["parameters"] = c.ParameterCount,
            },
            ["datasets"] = new JsonArray(datasets.Select(d => (JsonNode)Dataset(d)).ToArray()),
            ["options"] = new JsonObject(output.Request.Select(o => KeyValuePair.Create(o.Name, (JsonNode?)JsonValue.Create(o.Value)))),
            ["machine"] = new JsonObject
            {
                ["os"] = RuntimeInformation.OSDescription,
                ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
                ["cpu"] = CpuName(),
                ["logical_cores"] = Environment.ProcessorCount,
                ["torch_threads"] = TorchSharp.torch.get_num_threads(),
                ["device"] = study.Device,
                ["dtype"] = dtype,
                ["libtorch"] = TorchSharp.torch.__version__,
                ["blas"] = Blas(),
                ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(),
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
            },
            ["started"] = started.ToString("O"),
        };
        if (finished is { } end)
        {
            record["finished"] = end.ToString("O");
            record["wall_seconds"] = Math.Round((end - started).TotalSeconds, 1);
        }
        return record;
    }

    /// <summary>
    /// run.json with where this process's time went: per task and unit name, the units computed,
    /// their wall seconds, stacked runs from a hook and IG nodes (reused units cost nothing, so a
    /// merge records zeros). Comparisons of two runs leave it out, like the start and end times.
    /// </summary>
    public static JsonObject WithCosts(JsonObject record, StudyOutcome result)
    {
        record["cost"] = new JsonObject(result.Tasks.Select(t => KeyValuePair.Create(t.Task.Kind.Id(), (JsonNode?)new JsonObject(
            t.Costs.OrderByDescending(c => c.Value.Seconds).Select(c => KeyValuePair.Create(c.Key, (JsonNode?)new JsonObject
            {
                ["units"] = c.Value.Units, ["seconds"] = Math.Round(c.Value.Seconds, 2), ["runs"] = c.Value.Runs, ["ig_nodes"] = c.Value.IgNodes,
            }))))));
        return record;
    }

    private static JsonObject Dataset(DatasetRecord d) => new()
    {
        ["task"] = d.Kind.Id(),
        ["file"] = Path.GetFullPath(d.Dataset.File),
        ["sha256"] = d.Sha256,
        ["auxiliary"] = new JsonArray(d.Auxiliary.Select(a => (JsonNode)new JsonObject { ["file"] = Path.GetFullPath(a.File), ["sha256"] = a.Sha256 }).ToArray()),
        ["rows_read"] = d.Dataset.RowsRead,
        ["rows_dropped_invalid"] = new JsonArray(d.Dataset.Dropped.Select(r => (JsonNode)new JsonObject { ["row"] = r.Row, ["reason"] = r.ToString() }).ToArray()),
        ["examples_requested"] = d.Requested,
        ["behaviour_filter"] = d.Filtered
            ? new JsonObject
            {
                ["rule"] = d.Sample.Rule,
                ["kept"] = d.Sample.Kept.Count,
                ["dropped"] = new JsonArray(d.Sample.Dropped.Select(r => (JsonNode)new JsonObject { ["row"] = r.Row, ["clean_metric"] = r.CleanMetric }).ToArray()),
            }
            : null,
        ["rows_used"] = new JsonArray(d.Sample.Kept.Select(e => (JsonNode)JsonValue.Create(e.Row)).ToArray()),
    };

    /// <summary>The CPU BLAS's reproducibility mode as MKL reports it, who set it, and whether it makes the run's bytes repeatable.</summary>
    private static JsonObject Blas()
    {
        string? mode = NumericalReproducibility.EffectiveMode();
        return new JsonObject
        {
            ["mkl_cbwr"] = mode ?? "no MKL in this libtorch",
            ["set_by"] = NumericalReproducibility.SetBy,
            ["reproducible"] = NumericalReproducibility.IsReproducible(mode),
        };
    }

    private static string CpuName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
