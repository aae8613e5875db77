using Concord.Methods.Quadrature;
using Concord.Model;

namespace Concord.Methods.Attribution;

public sealed record AttributionOptions
{
    public Direction Direction { get; init; } = Direction.Noising;
    public Baseline Baseline { get; init; } = Baseline.Aligned;
    public QuadratureRule Rule { get; init; } = QuadratureRule.GaussLegendre;
    /// <summary>Quadrature steps (captum's default is 50); with <see cref="IgTolerance"/>, the largest step count tried.</summary>
    public int Steps { get; init; } = 50;
    /// <summary>
    /// When set (`--steps auto`), each layer's IG doubles its Gauss–Legendre nodes from
    /// <see cref="IntegratedGradients.AdaptiveInitialSteps"/> until its completeness error is at most
    /// this fraction of |F(end) − F(start)| for every prompt (see <see cref="IntegratedGradients.Adaptive"/>).
    /// </summary>
    public double? IgTolerance { get; init; }
    /// <summary>Score each (position, component) pair instead of components over all positions.</summary>
    public bool PerPosition { get; init; }
    /// <summary>Approximate bytes of activations one stacked run may hold; larger stacks are split into chunks.</summary>
    public long MemoryBudgetBytes { get; init; } = 1L << 30;
    /// <summary>
    /// Runs from a hook compute only the positions from the batch's first differing token on,
    /// reading the base run's cached keys and values before it (equal to the full recompute up to
    /// float round-off). Off for the zero baseline, whose path changes the prefix, and with <see cref="FixedHooks"/>.
    /// </summary>
    public bool ReusePrefix { get; init; } = true;
    /// <summary>Hooks applied in every run (tests freeze attention patterns with them).</summary>
    public HookSet? FixedHooks { get; init; }

    public static AttributionOptions Default { get; } = new();
}
