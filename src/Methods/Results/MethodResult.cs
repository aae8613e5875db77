using Concord.Methods.Attribution;
using Concord.Methods.Targets;

namespace Concord.Methods.Results;

/// <summary>A method's scores of one component kind over all layers, layer by layer.</summary>
public sealed record MethodResult(Method Method, TargetSpace Space, IReadOnlyList<LayerScores> Layers)
{
    private ScoreSet? _scores;

    /// <summary>All layers' scores side by side (layer 0 first).</summary>
    public ScoreSet Scores => _scores ??= ScoreSet.Concat(Method, Layers.Select(l => l.Scores));

    /// <summary>IG's completeness check of every layer (empty for the other methods).</summary>
    public IEnumerable<(int Layer, Completeness Check)> Completeness =>
        Layers.Where(l => l.Completeness is not null).Select(l => (l.Layer, l.Completeness!));

    public static MethodResult FromLayers(Method method, TargetSpace kind, IEnumerable<LayerScores> layers) => new(method, kind, layers.ToList());
}
