using System.Security.Cryptography;
using System.Text;
using Concord.Model;
using Concord.Tasks;
using Concord.Tasks.Models;
using static TorchSharp.torch;

namespace Concord.Studies;

/// <summary>
/// Content hashes that tie stored units to exactly what produced them: a unit is reused only when
/// all of it is equal, and <see cref="Methods.Pipeline.WorkUnit.Fingerprint"/> adds the options that affect
/// that unit. The memory budget is left out on purpose: it only changes how stacked runs are
/// chunked, which reorders float arithmetic (round-off) but not what is computed.
/// </summary>
public static class StudyFingerprints
{
    /// <summary>The weights and config by SHA-256, the number type, the device, and Concord's version and commit.</summary>
    public static string Model(ModelIdentity identity, ScalarType dtype, string device)
    {
        var (version, commit) = ConcordVersion.Current;
        return Hash($"weights={identity.WeightsSha256}|config={identity.ConfigSha256}|dtype={DTypeId(dtype)}|device={device}|concord={version}+{commit}");
    }

    /// <summary>The dataset file and every auxiliary list by SHA-256, with the task options that change how rows are read.</summary>
    public static string Data(DatasetRecord record, TaskOptions options) =>
        Hash($"data={record.Sha256}|{string.Join("|", record.Auxiliary.Select(a => a.Sha256))}|{options.Id()}");

    /// <summary>A whole study: the model, every task's data and <see cref="StudyOptions.Identity"/>; shards of one study share it.</summary>
    public static string Run(string model, IEnumerable<string> data, IEnumerable<(string Name, string Value)> identity) =>
        Hash($"model={model}|data={string.Join(",", data)}|" + string.Join("|", identity.Select(o => $"{o.Name}={o.Value}")));

    /// <summary>The number type's stable name (float32, float64).</summary>
    public static string DTypeId(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a floating-point type a model runs in"),
    };

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
