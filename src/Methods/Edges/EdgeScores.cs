using Concord.Model.Edges;

namespace Concord.Methods.Edges;

/// <summary>
/// One edge method's scores per prompt and edge (<c>Values[prompt, edge]</c>, edges in
/// <see cref="EdgeGraph"/> order), raw effects in metric units, with edge IG's completeness check.
/// </summary>
public sealed record EdgeScores(string Method, EdgeGraph Graph, double[,] Values, EdgeCompleteness? Completeness = null)
{
    public int Prompts => Values.GetLength(0);

    /// <summary>The prompt-mean score of each edge.</summary>
    public double[] Mean()
    {
        var mean = new double[Graph.EdgeCount];
        for (int b = 0; b < Prompts; b++)
            for (int e = 0; e < mean.Length; e++) mean[e] += Values[b, e] / Prompts;
        return mean;
    }

    public double[] Row(int prompt) => Enumerable.Range(0, Graph.EdgeCount).Select(e => Values[prompt, e]).ToArray();

    public static double[,] ToArray(TorchSharp.torch.Tensor scores)
    {
        var data = scores.to(TorchSharp.torch.ScalarType.Float64).cpu().data<double>().ToArray();
        int rows = (int)scores.shape[0], edges = (int)scores.shape[1];
        var values = new double[rows, edges];
        Buffer.BlockCopy(data, 0, values, 0, data.Length * sizeof(double));
        return values;
    }
}

/// <summary>
/// Edge IG's completeness: Σ_e IG_e against F(1) − F(0) per prompt (<see cref="Total"/>,
/// <see cref="Expected"/>), Σ_e |IG_e| (the scale of its round-off), the gradient evaluations per
/// prompt, the pieces the path ended in, and why refinement stopped short of τ when it did.
/// </summary>
public sealed record EdgeCompleteness(int Evaluations, double[] Total, double[] Expected, double[] Mass,
    IReadOnlyList<(double Start, double End)> Pieces, bool Converged, string? Stopped = null)
{
    public double[] Delta => Total.Zip(Expected, (t, e) => t - e).ToArray();
}
