using Concord.Methods.Quadrature;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

/// <summary>
/// A metric of one's own, written as a plain function over last-token logits, drives AP, IG and AtP
/// exactly as a built-in task metric does: the methods see only <see cref="IPromptMetric"/>.
/// </summary>
[TestFixture]
public class BringYourOwnMetricTests
{
    // float64, and the function computes the same sums in the same order as TaskMetric: equal to round-off.
    private const double Tolerance = 1e-12;

    [TestCase(3)]
    [TestCase(11)]
    public void AFunctionMetricGivesTheScoresOfTheTaskMetricItRewrites(int seed)
    {
        using var scenario = Scenario.Create(seed, prompts: 3);
        var examples = scenario.Batch.Examples;
        // Mean logit of the positive answers minus that of the negative ones, written by hand.
        var metric = new PromptMetric((logits, prompts) =>
        {
            var rows = prompts.data<long>().ToArray();
            var values = rows.Select((p, r) =>
            {
                var e = examples[(int)p];
                var row = logits[r];
                return row.index_select(0, tensor(e.Positive.Select(i => (long)i).ToArray())).mean()
                       - row.index_select(0, tensor(e.Negative.Select(i => (long)i).ToArray())).mean();
            }).ToArray();
            return stack(values);
        });
        var kinds = new[] { TargetSpace.Head, TargetSpace.Neuron, TargetSpace.Mlp };
        using var builtIn = AttributionContext.Create(scenario.Model, scenario.Batch, kinds, gradientAtBase: true);
        using var own = AttributionContext.Create(scenario.Model, scenario.Batch.Clean, scenario.Batch.Corrupted, metric, kinds, gradientAtBase: true);

        Assert.That(own.BaseMetric.ToDoubles(), Is.EqualTo(builtIn.BaseMetric.ToDoubles()).Within(Tolerance));
        foreach (var kind in kinds)
            for (int l = 0; l < scenario.Config.NLayer; l++)
            {
                ScoreAssert.Close(ActivationPatching.Layer(own, kind, l).Scores, ActivationPatching.Layer(builtIn, kind, l).Scores, Tolerance, Tolerance, $"AP {kind} {l}");
                var nodes = QuadraturePoints.For(QuadratureRule.GaussLegendre, 50);
                ScoreAssert.Close(IntegratedGradients.Layer(own, kind, l, nodes).Scores, IntegratedGradients.Layer(builtIn, kind, l, nodes).Scores, Tolerance, Tolerance, $"IG {kind} {l}");
            }
        var atpOwn = new AttributionPatching().AttributeAll(own, kinds);
        var atpBuiltIn = new AttributionPatching().AttributeAll(builtIn, kinds);
        foreach (var kind in kinds) ScoreAssert.Close(atpOwn[kind].Scores, atpBuiltIn[kind].Scores, Tolerance, Tolerance, $"AtP {kind}");
    }

    [Test]
    public void PromptsThatDoNotAlignAreRefused()
    {
        using var scenario = Scenario.Create(5, prompts: 2);
        using var shorter = TokenBatch.FromIds([[1, 2, 3], [4, 5]], padId: 0);
        Assert.That(() => AttributionContext.Create(scenario.Model, scenario.Batch.Clean, shorter, scenario.Batch.Metric, [TargetSpace.Head]),
            Throws.ArgumentException.With.Message.Contains("equal token lengths"));
    }
}
