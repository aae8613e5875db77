using static TorchSharp.torch;

namespace Concord.Model.Edges;

/// <summary>
/// θ of an edge run: how far each edge's sender value moves from this run's towards the other
/// value. <see cref="Uniform"/> sets every edge of a row to one α (IG's mask path, EAP's and
/// EAP-IG's base run at α = 0) and needs no per-edge work; <see cref="Dense"/> sets each edge on
/// its own (circuits, identities).
/// </summary>
public abstract record EdgeMask
{
    private EdgeMask() { }

    /// <summary>θ_e = α_row for every edge; <paramref name="Alpha"/> is [rows].</summary>
    public sealed record Uniform(Tensor Alpha) : EdgeMask;

    /// <summary>θ [rows or 1, S, R] over (sender, receiver) pairs; pairs that are not edges are ignored.</summary>
    public sealed record Dense(Tensor Theta) : EdgeMask;

    /// <summary>θ = 0: the base run.</summary>
    public static EdgeMask None(long rows, ScalarType dtype, Device device) => new Uniform(zeros(rows, dtype: dtype, device: device));
}
