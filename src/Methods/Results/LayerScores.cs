namespace Concord.Methods.Results;

/// <summary>What a method that works layer by layer computes at one layer: the layer's scores and, for IG, its completeness check. <see cref="MethodResult.FromLayers"/> puts the layers together.</summary>
public sealed record LayerScores(int Layer, ScoreSet Scores, Completeness? Completeness = null);
