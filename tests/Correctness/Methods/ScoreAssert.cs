using Concord.Methods.Results;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Methods;

public static class ScoreAssert
{
    /// <summary>Every score of <paramref name="actual"/> within atol + rtol·|expected| of the same component's score in <paramref name="expected"/>.</summary>
    public static void Close(ScoreSet actual, ScoreSet expected, double rtol, double atol, string what)
    {
        var aligned = expected.Select(actual.Targets);
        Assert.That(actual.Prompts, Is.EqualTo(aligned.Prompts), $"{what}: prompts");
        for (int b = 0; b < actual.Prompts; b++)
            for (int j = 0; j < actual.Targets.Count; j++)
            {
                double a = actual[b, j], e = aligned[b, j];
                if (!(Math.Abs(a - e) <= atol + rtol * Math.Abs(e)))
                    Assert.Fail($"{what}: prompt {b}, {actual.Targets[j]}: {actual.MethodId} {a:R} vs {expected.MethodId} {e:R} (|diff| {Math.Abs(a - e):E2}, atol {atol:E0}, rtol {rtol:E0})");
            }
    }

    public static void AllZero(ScoreSet set, double atol, string what)
    {
        for (int b = 0; b < set.Prompts; b++)
            for (int j = 0; j < set.Targets.Count; j++)
                Assert.That(Math.Abs(set[b, j]), Is.LessThanOrEqualTo(atol), $"{what}: prompt {b}, {set.Targets[j]}");
    }
}
