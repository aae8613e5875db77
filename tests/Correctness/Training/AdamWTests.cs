using Concord.Model;
using Concord.Model.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Training;

/// <summary>Concord's AdamW (whose state a checkpoint holds) against libtorch's own <c>torch.optim.AdamW</c>.</summary>
[TestFixture]
public class AdamWTests
{
    // float64: the two implementations order the same operations slightly differently.
    private const double Tolerance = 1e-12;

    [TestCase(0.0)]
    [TestCase(0.1)]
    public void MatchesLibtorchsAdamWOnMatrices(double weightDecay)
    {
        using var scope = NewDisposeScope();
        var target = randn(4, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(1));
        var ours = randn(4, 3, dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(2)).requires_grad_(true);
        var referenceParameter = new TorchSharp.Modules.Parameter(ours.detach().clone());
        var adam = new AdamW([ours], weightDecay);
        var reference = optim.AdamW([referenceParameter], lr: 0.05, weight_decay: weightDecay);

        for (int step = 0; step < 20; step++)
        {
            ((ours - target).pow(3).abs().sum()).backward();
            adam.Step(0.05);
            adam.ZeroGradients();
            reference.zero_grad();
            ((referenceParameter - target).pow(3).abs().sum()).backward();
            reference.step();
        }
        TensorAssert.AllClose(ours.detach(), referenceParameter.detach(), Tolerance, Tolerance, "parameters after 20 steps");
    }

    [Test]
    public void ClippingScalesTheGlobalNormDownAndLeavesSmallGradientsAlone()
    {
        using var scope = NewDisposeScope();
        var a = zeros(2, dtype: ScalarType.Float64).requires_grad_(true);
        var b = zeros(2, dtype: ScalarType.Float64).requires_grad_(true);
        (a * tensor(new[] { 3.0, 0 }) + b * tensor(new[] { 0, 4.0 })).sum().backward();
        var adam = new AdamW([a, b]);
        Assert.That(adam.ClipGradients(10), Is.EqualTo(5).Within(1e-12), "norm reported");
        Assert.That(a.grad!.ToDoubles(), Is.EqualTo(new[] { 3.0, 0 }), "below the cap: unchanged");
        Assert.That(adam.ClipGradients(1), Is.EqualTo(5).Within(1e-12));
        Assert.That(a.grad!.ToDoubles()[0] * a.grad!.ToDoubles()[0] + b.grad!.ToDoubles()[1] * b.grad!.ToDoubles()[1], Is.EqualTo(1).Within(1e-6));
    }

    [Test]
    public void ScheduleWarmsUpLinearlyThenDecaysByCosineToTheFinalFraction()
    {
        var schedule = new LearningRateSchedule(Peak: 1e-3, WarmupSteps: 10, TotalSteps: 110, FinalFraction: 0.1);
        Assert.That(schedule.At(0), Is.EqualTo(1e-4).Within(1e-15));
        Assert.That(schedule.At(9), Is.EqualTo(1e-3).Within(1e-15));
        Assert.That(schedule.At(10), Is.EqualTo(1e-3).Within(1e-15));
        Assert.That(schedule.At(60), Is.EqualTo(0.55e-3).Within(1e-15), "half way: the cosine's midpoint");
        Assert.That(schedule.At(110), Is.EqualTo(1e-4).Within(1e-15));
        for (int s = 10; s < 110; s++) Assert.That(schedule.At(s + 1), Is.LessThanOrEqualTo(schedule.At(s)));
    }
}
