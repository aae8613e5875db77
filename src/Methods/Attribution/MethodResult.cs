using Concord.Methods.Results;
using Concord.Methods.Targets;

namespace Concord.Methods.Attribution;

/// <summary>
/// A method's scores of one target space, every target and prompt in one <see cref="ScoreSet"/>,
/// and beside them the diagnostics it reports per layer (IG's completeness check and path). The
/// scores need no layer: a space's targets may span layers (an edge) or have none of their own.
/// </summary>
public sealed record MethodResult(Method Method, TargetSpace Space, ScoreSet Scores, IReadOnlyList<LayerCompleteness> Completeness)
{
    /// <summary>A result scored layer by layer (the node methods): the layers' scores side by side (layer 0 first), their checks beside them.</summary>
    public static MethodResult FromLayers(Method method, TargetSpace space, IEnumerable<LayerScores> layers)
    {
        var list = layers.ToList();
        return new(method, space, ScoreSet.Concat(method.Id(), list.Select(l => l.Scores)),
            list.Where(l => l.Completeness is not null).Select(l => new LayerCompleteness(l.Layer, l.Completeness!)).ToList());
    }

    /// <summary>The layers its targets sit at, in the order the scores first reach them.</summary>
    public IReadOnlyList<int> Layers => Scores.Targets.Select(t => t.Layer).Distinct().ToList();

    /// <summary>Its scores at one layer (what the unit file keeps per layer).</summary>
    public ScoreSet At(int layer) => Scores.Select(Scores.Targets.Where(t => t.Layer == layer).ToList());

    /// <summary>IG's completeness check at <paramref name="layer"/>; null when the method reports none there.</summary>
    public Completeness? CompletenessAt(int layer) => Completeness.FirstOrDefault(c => c.Layer == layer)?.Check;
}

/// <summary>IG's completeness check at one layer, reported beside the scores.</summary>
public sealed record LayerCompleteness(int Layer, Completeness Check);
