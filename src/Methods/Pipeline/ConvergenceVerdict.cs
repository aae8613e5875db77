using Concord.Methods.Components;

namespace Concord.Methods.Pipeline;

/// <summary>
/// Whether IG of one component kind converged on every prompt: completeness error |Σ IG − (F(end) −
/// F(start))| ≤ τ·max(|F(end) − F(start)|, ε) + r at every layer (ε and r as in
/// <see cref="Attribution.IntegratedGradients.Adaptive"/>: 1 % of the batch's largest effect, and the
/// float round-off of F and of Σ IG). An unconverged IG is a quadrature artefact, not evidence: the
/// report shows "not converged" instead of its agreement, and its prompts leave the disagreement tables.
/// </summary>
/// <param name="Tolerance">τ: the adaptive rule's, or <see cref="TaskAnalysis.EvidenceTolerance"/> for a fixed rule.</param>
/// <param name="UnconvergedRows">Dataset rows whose IG missed τ at some layer.</param>
/// <param name="WorstRelativeError">The largest error as a fraction of max(|F(end) − F(start)|, ε), over prompts and layers.</param>
public sealed record ConvergenceVerdict(ComponentKind Kind, double Tolerance, int Prompts, IReadOnlyList<int> UnconvergedRows, double WorstRelativeError)
{
    public bool Converged => UnconvergedRows.Count == 0;

    /// <summary>"not converged (error 0.86 of ΔF on 3 of 6 prompts)".</summary>
    public string Text => Converged ? "converged" : string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"not converged (error {WorstRelativeError:G2} of ΔF on {UnconvergedRows.Count} of {Prompts} prompts, τ = {Tolerance:G2})");
}
