namespace Concord.Methods.Results;

/// <summary>One method's scores of one layer's components, with IG's completeness check when the method is IG.</summary>
public sealed record LayerScores(int Layer, ScoreSet Scores, Completeness? Completeness = null);
