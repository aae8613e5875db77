namespace Concord.Methods.Pipeline;

/// <summary>Prompts left out of the normalised pooled statistics: |F(a') − F(a)| below <see cref="Threshold"/> (<see cref="Excluded"/> of <see cref="Prompts"/>).</summary>
public sealed record NormalisedExclusion(double Threshold, int Excluded, int Prompts);
