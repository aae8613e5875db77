using Concord.Model;
using Concord.Tasks.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Training;

/// <summary>Head dropout: masks per sample and head, the expected output kept, the same masks on a resumed run.</summary>
[TestFixture]
public class HeadDropoutTests
{
    private static readonly Gpt2Config Config = new(NLayer: 2, NHead: 4, NEmbd: 8, NPositions: 8, VocabSize: 16);

    /// <summary>The factor each (sample, head) of a layer's hook_z is multiplied by (the hooks applied to ones; tests see Model's internals).</summary>
    private static float[] Masks(HookSet hooks, int batch, int layer)
    {
        using var unit = ones(batch, 3, Config.NHead, 2);
        using var masked = hooks.Apply(HookPoint.Z(layer), unit);
        return masked[.., 0, .., 0].contiguous().data<float>().ToArray();
    }

    [Test]
    public void ZeroProbabilityAddsNoHook() => Assert.That(HeadDropout.Hooks(Config, 4, 0, seed: 1, step: 0), Is.Null);

    [Test]
    public void HeadsAreDroppedPerSampleAndKeptHeadsRescaled()
    {
        const double p = 0.25;
        var all = Enumerable.Range(0, 200).SelectMany(step => Masks(HeadDropout.Hooks(Config, 8, p, seed: 3, step)!, 8, step % 2)).ToArray();
        Assert.That(all.Distinct().Order(), Is.EqualTo(new[] { 0f, (float)(1 / (1 - p)) }), "a head is dropped or scaled by 1/(1 − p)");
        // 6400 Bernoulli(0.25) draws: the share dropped is 0.25 ± 0.0054 (sd), so 0.03 is over five sds.
        Assert.That(all.Count(v => v == 0) / (double)all.Length, Is.EqualTo(p).Within(0.03));
        Assert.That(all.Average(v => (double)v), Is.EqualTo(1.0).Within(0.04), "the expected output is unchanged");
    }

    [Test]
    public void TheSameSeedAndStepDrawTheSameMasks()
    {
        var a = Masks(HeadDropout.Hooks(Config, 8, 0.5, seed: 3, step: 17)!, 8, 1);
        var b = Masks(HeadDropout.Hooks(Config, 8, 0.5, seed: 3, step: 17)!, 8, 1);
        var c = Masks(HeadDropout.Hooks(Config, 8, 0.5, seed: 3, step: 18)!, 8, 1);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }

    [TestCase(-0.1)]
    [TestCase(1.0)]
    [TestCase(double.NaN)]
    public void AProbabilityOutsideZeroToOneIsRefused(double p) =>
        Assert.That(() => new TrainingRun(TrainingPreset.Tiny, "/tmp/x", HeadDropout: p).Validate(),
            Throws.InstanceOf<SettingException>().With.Property("Setting").EqualTo("HeadDropout"));
}
