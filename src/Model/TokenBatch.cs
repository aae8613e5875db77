using static TorchSharp.torch;

namespace Concord.Model;

/// <summary>
/// Prompts of different lengths, right-padded into one [batch, pos] tensor. Right padding plus the
/// causal mask means real tokens never attend to pads, and <see cref="LastPositions"/> tells every
/// metric where each prompt's own last real token is (never the padded last column).
/// </summary>
public sealed class TokenBatch : IDisposable
{
    public Tensor Tokens { get; }
    public Tensor LastPositions { get; }
    public int[] Lengths { get; }
    public int Count => Lengths.Length;
    public int Width => (int)Tokens.shape[1];

    private TokenBatch(Tensor tokens, Tensor lastPositions, int[] lengths)
    {
        Tokens = tokens;
        LastPositions = lastPositions;
        Lengths = lengths;
    }

    public static TokenBatch FromIds(IReadOnlyList<int[]> prompts, Device? device = null, int padId = Gpt2Tokenizer.EndOfText, int? width = null)
    {
        if (prompts.Count == 0) throw new ArgumentException("a batch needs at least one prompt");
        int w = width ?? prompts.Max(p => p.Length);
        var data = new long[prompts.Count * w];
        Array.Fill(data, padId);
        var lengths = new int[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i].Length == 0) throw new ArgumentException($"prompt {i} has no tokens");
            if (prompts[i].Length > w) throw new ArgumentException($"prompt {i} has {prompts[i].Length} tokens, more than the batch width {w}");
            lengths[i] = prompts[i].Length;
            for (int j = 0; j < prompts[i].Length; j++) data[i * w + j] = prompts[i][j];
        }
        device ??= CPU;
        var tokens = tensor(data, [prompts.Count, w], dtype: ScalarType.Int64).to(device).DetachFromDisposeScope();
        var last = tensor(lengths.Select(n => (long)n - 1).ToArray(), dtype: ScalarType.Int64).to(device).DetachFromDisposeScope();
        return new TokenBatch(tokens, last, lengths);
    }


    public void Dispose()
    {
        Tokens.Dispose();
        LastPositions.Dispose();
    }
}
