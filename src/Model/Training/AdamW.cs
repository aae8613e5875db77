using static TorchSharp.torch;

namespace Concord.Model.Training;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019), as PyTorch's <c>AdamW</c>,
/// with its moments exposed so that a checkpoint holds the whole optimiser state and a resumed
/// run continues bit for bit. Weight decay applies to matrices only (not to biases or LayerNorm
/// gains), as in GPT-2 training practice.
/// </summary>
public sealed class AdamW : IDisposable
{
    public IReadOnlyList<Tensor> Parameters { get; }
    public IReadOnlyList<Tensor> FirstMoments { get; }
    public IReadOnlyList<Tensor> SecondMoments { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }
    /// <summary>Updates done so far (the bias corrections depend on it).</summary>
    public int StepsTaken { get; set; }

    public AdamW(IReadOnlyList<Tensor> parameters, double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        Parameters = parameters;
        FirstMoments = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToList();
        SecondMoments = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToList();
        (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, epsilon, weightDecay);
    }

    /// <summary>Scales all gradients so that their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public double ClipGradients(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var squares = Parameters.Where(p => p.grad is not null).Select(p => p.grad!.square().sum()).ToArray();
        double norm = Math.Sqrt(stack(squares).sum().to(ScalarType.Float64).item<double>());
        if (norm > maxNorm)
            foreach (var p in Parameters)
                p.grad?.mul_(maxNorm / (norm + 1e-6));
        return norm;
    }

    public void Step(double learningRate)
    {
        StepsTaken++;
        double correction1 = 1 - Math.Pow(Beta1, StepsTaken), correction2 = 1 - Math.Pow(Beta2, StepsTaken);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.grad is not Tensor g) continue;
            if (WeightDecay > 0 && p.dim() >= 2) p.mul_(1 - learningRate * WeightDecay);
            FirstMoments[i].mul_(Beta1).add_(g, alpha: 1 - Beta1);
            SecondMoments[i].mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            var denominator = (SecondMoments[i] / correction2).sqrt_().add_(Epsilon);
            p.addcdiv_(FirstMoments[i], denominator, value: -learningRate / correction1);
        }
    }

    public void ZeroGradients()
    {
        foreach (var p in Parameters) p.grad?.zero_();
    }

    public void Dispose()
    {
        foreach (var t in FirstMoments.Concat(SecondMoments)) t.Dispose();
    }
}
