using System.Security.Cryptography;
using System.Text;
using Concord.Tasks;
using Concord.Tasks.Models;
using static TorchSharp.torch;

namespace Concord.Cli.Run;

/// <summary>
/// Content hashes that tie cached units to exactly what produced them. A unit is reused only when
/// all of it is equal; <see cref="Concord.Methods.Pipeline.WorkUnit.Fingerprint"/> adds the options
/// that affect that unit. --memory-budget is left out on purpose: it only changes how stacked runs
/// are chunked, which reorders float arithmetic (round-off) but not what is computed.
/// </summary>
public static class Fingerprints
{
    /// <summary>The weights and config by SHA-256, the number type, the device, and Concord's version and commit.</summary>
    public static string Model(ModelIdentity identity, ScalarType dtype, string device)
    {
        var (version, commit) = RunRecord.Version();
        return Hash($"weights={identity.WeightsSha256}|config={identity.ConfigSha256}|dtype={dtype}|device={device}|concord={version}+{commit}");
    }

    /// <summary>The dataset file and every auxiliary list by SHA-256, with the task options that change how rows are read.</summary>
    public static string Data(DatasetRecord record, TaskOptions options) =>
        Hash($"data={record.Sha256}|{string.Join("|", record.Auxiliary.Select(a => a.Sha256))}" +
             $"|ioi={options.IoiCorruption}|logit-variant={options.LogitVariant}|drop-invalid={options.DropInvalid}|context={options.MaxTokens}");

    /// <summary>
    /// Options that change how the work is done or where it goes, not a unit's numbers: a shard and
    /// the merge may differ in them and still be one run.
    /// </summary>
    public static readonly IReadOnlySet<string> NotInRun = new HashSet<string> { "--out", "--fresh", "--memory-budget", "--verbose" };

    /// <summary>A whole run: the model, every task's data and the options (without <see cref="NotInRun"/>); shards of one run share it.</summary>
    public static string Run(string model, IEnumerable<string> data, IEnumerable<(string Name, string Value)> options) =>
        Hash($"model={model}|data={string.Join(",", data)}|" +
             string.Join("|", options.OrderBy(o => o.Name, StringComparer.Ordinal).Select(o => $"{o.Name}={o.Value}")));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
