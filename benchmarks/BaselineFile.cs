using System.Text.RegularExpressions;
using Concord.Benchmarks.Devices;

namespace Concord.Benchmarks;

/// <summary>
/// Names of the committed baseline exports: the model shape and the kind of device they were
/// measured on, then BenchmarkDotNet's own file name, e.g.
/// <c>gpt2-small-cpu-Concord.Benchmarks.ActivationPatchingBenchmarks-report-full.json</c>. A
/// ratio measured on a GPU says nothing about the same ratio on a CPU (launch overhead, memory
/// bandwidth and the naive variants' full-vocabulary logits weigh differently), so each device
/// keeps its own baseline.
/// </summary>
public static partial class BaselineFile
{
    public static string Name(string shape, string device, string exportFileName) =>
        $"{shape}-{DeviceName.Kind(device)}-{Path.GetFileName(exportFileName)}";

    /// <summary>The shape and device kind a baseline file's name states; null for names without them (a fresh export).</summary>
    public static (string Shape, string Device)? Parse(string fileName)
    {
        var match = Pattern().Match(Path.GetFileName(fileName));
        return match.Success ? (match.Groups["shape"].Value, match.Groups["device"].Value) : null;
    }

    [GeneratedRegex(@"^(?<shape>[a-z0-9]+(?:-[a-z0-9]+)*?)-(?<device>cpu|cuda)-Concord\.")]
    private static partial Regex Pattern();
}
