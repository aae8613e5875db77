using System.Globalization;
using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Results;

namespace Concord.Methods.Pipeline;

/// <summary>
/// One resumable piece of work for one batch: a method on one component kind, a sweep point, or
/// the batch's clean/corrupted metrics. Its key hashes exactly the inputs and options that change
/// its result, so changing --steps recomputes IG and nothing else.
/// </summary>
public sealed record WorkUnit(string Name, Method? Method, ComponentKind? Kind, double? Scale)
{
    public static WorkUnit Metrics { get; } = new("metrics", null, null, null);
    public static WorkUnit For(Method method, ComponentKind kind) => new($"{method.CliName()}-{kind.CliName()}", method, kind, null);
    public static WorkUnit Sweep(ComponentKind kind, double scale) =>
        new($"sweep-{kind.CliName()}-{scale.ToString("0.####", CultureInfo.InvariantCulture)}", null, kind, scale);

    public bool IsSweep => Scale is not null;

    /// <summary>The options that affect this unit's result, as text (hashed into its key).</summary>
    public string Fingerprint(PipelineOptions options)
    {
        var a = options.Attribution;
        var parts = new List<string> { Name, $"direction={a.Direction}", $"per-position={a.PerPosition}" };
        bool usesIg = Method == Attribution.Method.Ig || IsSweep;
        bool usesNeuronSubset = Kind == ComponentKind.Neuron && (Method == Attribution.Method.Ap || IsSweep);
        if (usesIg) parts.Add($"rule={a.Rule};steps={a.Steps};baseline={(IsSweep ? Baseline.Aligned : a.Baseline)}");
        if (usesNeuronSubset) parts.Add($"neurons={options.NeuronsPerLayer};seed={options.Seed}");
        return string.Join("|", parts);
    }
}

/// <summary>What a unit produced: score sets (one, or IG/AP/AtP·s for a sweep point), IG's completeness check, or metrics.</summary>
public sealed record UnitResult(IReadOnlyList<ScoreSet> Sets, IReadOnlyList<LayerConvergence> Convergence, double[]? BaseMetric = null, double[]? OtherMetric = null);

/// <summary>IG's Σ_c IG_c and F(a') − F(a) per prompt at one layer.</summary>
public sealed record LayerConvergence(ComponentKind Kind, int Layer, double[] Total, double[] Expected)
{
    public double[] Delta => Total.Zip(Expected, (t, e) => t - e).ToArray();
}
