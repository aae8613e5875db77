using Concord.Methods.Attribution;
using Concord.Methods.Attribution.Naive;
using Concord.Methods.Targets;
using Concord.Methods.Results;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Methods;

/// <summary>AP, IG, AtP and the naive reference share one shape: context and kind in, typed per-layer scores out.</summary>
public partial class MethodTests
{
    private static readonly Func<IAttributionMethod>[] EveryMethod =
    [
        () => new ActivationPatching(), () => new IntegratedGradients(IgSettings.FixedNodes(4)), () => new AttributionPatching(),
        () => new NaiveActivationPatching(), () => new NaiveIntegratedGradients(Nodes(4)),
    ];

    [Test]
    public void EveryMethodScoresEveryLayerOfTheKindItWasAskedFor()
    {
        using var scenario = Scenario.Create(21, prompts: 2);
        using var context = scenario.Context();
        foreach (var create in EveryMethod)
            foreach (var kind in Kinds)
            {
                var method = create();
                var result = method.Attribute(context, kind);
                var what = $"{method.GetType().Name} {kind}";
                Assert.That(result.Method, Is.EqualTo(method.Method), what);
                Assert.That(result.Space, Is.EqualTo(kind), what);
                Assert.That(result.Layers, Is.EqualTo(Enumerable.Range(0, scenario.Config.NLayer)), what);
                int perLayer = new ComponentLayout(kind, scenario.Config).ComponentsPerPosition;
                foreach (var layer in result.Layers)
                {
                    var scores = result.At(layer);
                    Assert.That(scores.Targets, Has.All.Matches<Target>(c => c.Layer == layer && c.Space == kind), what);
                    Assert.That(scores.Targets, Has.Count.EqualTo(perLayer), what);
                    Assert.That(scores.Prompts, Is.EqualTo(2), what);
                    // Only IG has a completeness check, and it has one at every layer.
                    Assert.That(result.CompletenessAt(layer) is not null, Is.EqualTo(method.Method == Method.Ig), what);
                }
                Assert.That(result.Scores.Targets, Is.EqualTo(result.Layers.SelectMany(l => result.At(l).Targets)), what);
            }
    }

    /// <summary>Through the interface as well as per layer, the naive reference and the fast path agree.</summary>
    [Test]
    public void TheNaiveReferenceAndTheFastPathAgreeThroughTheInterface()
    {
        using var scenario = Scenario.Create(22, prompts: 2);
        using var context = scenario.Context();
        foreach (var kind in Kinds)
        {
            ScoreAssert.Close(new ActivationPatching().Attribute(context, kind).Scores, new NaiveActivationPatching().Attribute(context, kind).Scores, ReorderTol, ReorderTol, $"AP {kind}");
            ScoreAssert.Close(new IntegratedGradients(IgSettings.FixedNodes(4)).Attribute(context, kind).Scores, new NaiveIntegratedGradients(Nodes(4)).Attribute(context, kind).Scores, ReorderTol, ReorderTol, $"IG {kind}");
        }
    }

    /// <summary>
    /// A neuron subset restricts AP to the chosen components at each layer, in the order chosen. The
    /// subset's runs stack 2 patches where the full run stacks every neuron: the same float64 arithmetic
    /// over matrices of other shapes, which the BLAS's reproducible mode may block differently (measured:
    /// 2.2e-16 apart), hence the reordering tolerance rather than bit equality.
    /// </summary>
    [Test]
    public void ActivationPatchingPatchesOnlyTheChosenComponents()
    {
        using var scenario = Scenario.Create(23, prompts: 2);
        using var context = scenario.Context();
        var all = new ActivationPatching().Attribute(context, TargetSpace.Neuron);
        var subset = new ActivationPatching(layer => [layer % 2, 3]).Attribute(context, TargetSpace.Neuron);
        foreach (var layer in subset.Layers)
        {
            var scores = subset.At(layer);
            Assert.That(scores.Targets.Select(c => c.Index), Is.EqualTo(new[] { layer % 2, 3 }));
            ScoreAssert.Close(scores, all.Scores.Select(scores.Targets), ReorderTol, ReorderTol, $"layer {layer}");
        }
    }
}
