using Concord.Model;

namespace Concord.Tests.Correctness;

/// <summary>The small configs the tests use.</summary>
public static class TestEnvironment
{
    /// <summary>A tiny config with a small vocabulary: fast enough for property tests and the double-precision reference.</summary>
    public static Gpt2Config Tiny(int layers = 2, int heads = 4, int dModel = 16, int vocab = 97, int positions = 32) =>
        new(layers, heads, dModel, positions, vocab);
}
