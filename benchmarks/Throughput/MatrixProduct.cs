namespace Concord.Benchmarks.Throughput;

/// <summary>
/// One matrix product [M×K]·[K×N] of an algorithm's work, or one batched product of
/// <see cref="Count"/> such (attention's, one per row and head): what its
/// FLOPs are counted from and what the product profile replays. Element-wise work (layer norms,
/// GELU, softmax, residual adds, copies) is left out on purpose: it is a few per cent of the
/// arithmetic and no matrix unit runs it, so the share of the matrix-product peak is the share
/// an algorithm could at best approach.
/// </summary>
/// <param name="BothOperandsVary">Both factors depend on the differentiated input (attention's
/// q·kᵀ and pattern·v), so a backward pass needs two products, not one.</param>
public sealed record MatrixProduct(string Name, long M, long K, long N, long Count = 1, bool BothOperandsVary = false)
{
    /// <summary>One multiply and one add per term of every dot product: 2·M·K·N per product.</summary>
    public double Flops => 2.0 * M * K * N * Count;

    /// <summary>
    /// The products a backward pass adds for the gradient with respect to the input (never the
    /// weights: the benchmarks' weights do not require gradients). For y = x·W that is
    /// dx = dy·Wᵀ, [M×N]·[N×K]; where both factors vary also dB = Aᵀ·dy, [K×M]·[M×N].
    /// </summary>
    public IEnumerable<MatrixProduct> Backward()
    {
        yield return this with { Name = Name + " (backward)", K = N, N = K };
        if (BothOperandsVary) yield return this with { Name = Name + " (backward, 2nd factor)", M = K, K = M };
    }

    public string Shape => $"{M}×{K}·{K}×{N}";
}
