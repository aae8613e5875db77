using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;

namespace Concord.Tests.Agreement.Model;

/// <summary>The README's "your own prompts and metric" example, as written there, on the bundled model.</summary>
[TestFixture]
public class ReadmeExampleTests
{
    [Test]
    public void TheOwnMetricExampleRunsAndIgIsComplete()
    {
        using var model = HookedGpt2.Load(TestModels.TaskModelFolder);
        var tokenizer = Gpt2Tokenizer.Instance;
        using var clean = TokenBatch.FromIds([tokenizer.Encode("When Mary and John went to the store, John gave a drink to")]);
        using var corrupted = TokenBatch.FromIds([tokenizer.Encode("When Mary and John went to the store, Mary gave a drink to")]);
        int mary = tokenizer.SingleToken(" Mary"), john = tokenizer.SingleToken(" John");
        var metric = new PromptMetric((logits, prompts) => logits[.., mary] - logits[.., john]);
        using var context = AttributionContext.Create(model, clean, corrupted, metric, [TargetSpace.Head]);
        var ap = new ActivationPatching().Attribute(context, TargetSpace.Head);    // every head, layer by layer
        var ig = new IntegratedGradients().Attribute(context, TargetSpace.Head);   // ... with each layer's completeness check
        var agreement = PairAgreement.Compute(ig, ap, TargetSpace.Head);

        double cleanMetric = context.BaseMetric.ToDoubles()[0], corruptedMetric = context.OtherMetric.ToDoubles()[0];
        Assert.That(cleanMetric, Is.GreaterThan(0), "the model answers Mary");
        Assert.That(corruptedMetric, Is.LessThan(cleanMetric));
        Assert.That(ap.Layers, Has.Count.EqualTo(model.Config.NLayer));
        Assert.That(ap.Scores.Targets, Has.Count.EqualTo(model.Config.NLayer * model.Config.NHead));
        // float32, 50 Gauss–Legendre nodes: completeness to a small fraction of the effect at every layer.
        foreach (var (layer, check) in ig.Completeness)
            Assert.That(Math.Abs(check.Delta[0]), Is.LessThan(1e-2 * Math.Abs(corruptedMetric - cleanMetric)), $"layer {layer}");
        Assert.That(agreement.PerPrompt, Has.Count.EqualTo(1));
        Assert.That(agreement.AcrossPrompts.Pearson.Median, Is.InRange(-1, 1));
    }
}
