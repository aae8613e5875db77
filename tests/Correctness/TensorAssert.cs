using Concord.Model;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness;

/// <summary>allclose with stated tolerances, reporting the worst element when it fails.</summary>
public static class TensorAssert
{
    public static double[] ToDoubles(Tensor t) => t.ToDoubles();

    public static void AllClose(double[] actual, double[] expected, double rtol, double atol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: element count");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (double.IsNaN(actual[i]) != double.IsNaN(expected[i])) excess = double.PositiveInfinity;
            if (excess > worst) { worst = excess; worstAt = i; }
        }
        if (worstAt >= 0)
            Assert.Fail($"{what}: element {worstAt} is {actual[worstAt]:R}, expected {expected[worstAt]:R} (|diff| {Math.Abs(actual[worstAt] - expected[worstAt]):E2} > atol {atol:E0} + rtol {rtol:E0}·|expected|)");
    }

    public static void AllClose(Tensor actual, Tensor expected, double rtol, double atol, string what)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{what}: shape");
        AllClose(ToDoubles(actual), ToDoubles(expected), rtol, atol, what);
    }

    public static void BitIdentical(Tensor actual, Tensor expected, string what)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{what}: shape");
        using var same = actual.eq(expected).all();
        Assert.That(same.item<bool>(), Is.True, $"{what}: not bit-identical (max |diff| {(actual - expected).abs().max().item<float>():E2})");
    }
}
