namespace Concord.Methods.Results;

/// <summary>What a method that works layer by layer computes at one layer: the layer's scores and, for IG, its completeness check. The method's result puts the layers together (<c>MethodResult.FromLayers</c>, a level up in Attribution).</summary>
public sealed record LayerScores(int Layer, ScoreSet Scores, Completeness? Completeness = null);
