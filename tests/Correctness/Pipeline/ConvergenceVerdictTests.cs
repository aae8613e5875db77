using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Results;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Pipeline;

/// <summary>
/// The convergence verdict never claims τ when only the round-off allowance was met: one prompt
/// with F(a) = 1, F(a') = 0 (so |ΔF| = 1, the largest |F| = 1) and Σ|IG_i| = 1, its completeness
/// error placed below τ, between τ and τ + r, and beyond τ + r (float32: r = 5e-4 + 1e-4).
/// </summary>
public class ConvergenceVerdictTests
{
    private const double Tau = TaskAnalysis.EvidenceTolerance;   // a fixed rule is held to it
    private static readonly double Allowance = IntegratedGradients.AllowedError(0, 0, metricScale: 1, mass: 1, ScalarType.Float32);

    private static ConvergenceVerdict VerdictFor(double error)
    {
        var component = new Target(0, TargetSpace.Head, 0);
        var completeness = new Completeness(16, Total: [-1 + error], Expected: [-1], Mass: [1]);
        var ig = MethodResult.FromLayers(Method.Ig, TargetSpace.Head, [new LayerScores(0, new ScoreSet(Method.Ig.Id(), [component], new double[,] { { -1 + error } }), completeness)]);
        var batch = new BatchResult([7], [5], new BatchMetrics([1.0], [0.0]), [ig], []);
        var options = new PipelineOptions { Methods = [Method.Ig], Spaces = [TargetSpace.Head], Ig = IgSettings.FixedNodes(16) };
        return TaskAnalysis.Of(new TaskResult(Concord.Tasks.TaskKind.Ioi, [batch], 1, 0), options).Verdicts.Single();
    }

    [Test]
    public void WithinTauIsConverged()
    {
        var verdict = VerdictFor(Tau / 2);
        Assert.That(verdict.Converged, Is.True);
        Assert.That(verdict.WithinAllowanceRows, Is.Empty);
        Assert.That(verdict.Text, Is.EqualTo("converged"));
    }

    [Test]
    public void BeyondTauButWithinTheAllowanceIsConvergedAndSaysSo()
    {
        var verdict = VerdictFor(Tau + Allowance / 2);
        Assert.That(verdict.Converged, Is.True);
        Assert.That(verdict.WithinAllowanceRows, Is.EqualTo(new[] { 7 }));
        Assert.That(verdict.WorstWithinAllowance, Is.EqualTo(Tau + Allowance / 2).Within(1e-12));
        Assert.That(verdict.Text, Does.StartWith("converged within the float round-off allowance only"));
    }

    [Test]
    public void BeyondTheAllowanceIsNotConverged()
    {
        var verdict = VerdictFor(Tau + 2 * Allowance);
        Assert.That(verdict.Converged, Is.False);
        Assert.That(verdict.UnconvergedRows, Is.EqualTo(new[] { 7 }));
        Assert.That(verdict.WithinAllowanceRows, Is.Empty);
    }
}
