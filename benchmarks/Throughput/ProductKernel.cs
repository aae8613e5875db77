using static TorchSharp.torch;

namespace Concord.Benchmarks.Throughput;

/// <summary>
/// One matrix product [M×K]·[K×N] on a device, written into a preallocated output (addmm_ with
/// β = 0): the GEMM kernel alone, without the allocation and first-touch page faults of a fresh
/// output, so what it reaches is the machine's limit for that shape through TorchSharp. Operands
/// are seeded normal values (the kernels' speed does not depend on the values, but denormals
/// would).
/// </summary>
public sealed class ProductKernel : IDisposable
{
    private readonly Tensor _a, _b, _c;
    public MatrixProduct Product { get; }

    public ProductKernel(MatrixProduct product, ScalarType dtype, string device)
    {
        Product = product;
        var on = TorchSharp.torch.device(device);
        var generator = new TorchSharp.torch.Generator(1234);
        _a = randn([product.M, product.K], dtype: dtype, generator: generator).to(on);
        _b = randn([product.K, product.N], dtype: dtype, generator: generator).to(on);
        _c = zeros([product.M, product.N], dtype: dtype, device: on);
    }

    public void Run() => _c.addmm_(_a, _b, beta: 0, alpha: 1);

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _c.Dispose();
    }
}
