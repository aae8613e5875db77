using Concord.Methods.Targets;

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
public sealed record ConvergenceVerdict(TargetSpace Kind, double Tolerance, int Prompts, IReadOnlyList<int> UnconvergedRows, double WorstRelativeError)
{
    public bool Converged => UnconvergedRows.Count == 0;

    /// <summary>Whose convergence: IG's, or split IG's (whose completeness is checked against F at each prompt's split point).</summary>
    public Attribution.Method Method { get; init; } = Attribution.Method.Ig;

    /// <summary>Rows whose error exceeds τ·|ΔF| and is within it only with the float round-off allowance: converged, but not to τ, and said so.</summary>
    public IReadOnlyList<int> WithinAllowanceRows { get; init; } = [];

    /// <summary>The largest error of those rows, as a fraction of max(|F(end) − F(start)|, ε).</summary>
    public double WorstWithinAllowance { get; init; }

    /// <summary>"not converged (error 0.86 of ΔF on 3 of 6 prompts)"; "converged" says when only the round-off allowance was met.</summary>
    public string Text => !Converged
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"not converged (error {WorstRelativeError:G2} of ΔF on {UnconvergedRows.Count} of {Prompts} prompts, τ = {Tolerance:G2})")
        : WithinAllowanceRows.Count == 0 ? "converged"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"converged within the float round-off allowance only (error up to {WorstWithinAllowance:G2} of ΔF, above τ = {Tolerance:G2}, on {WithinAllowanceRows.Count} of {Prompts} prompts)");
}
