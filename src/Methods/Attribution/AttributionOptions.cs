using Concord.Model;

namespace Concord.Methods.Attribution;

/// <summary>
/// What every method run on a context shares: the direction, per-position scoring, the memory budget
/// and prefix reuse. A method's own settings (IG's quadrature and baseline, AP's neuron subset) are
/// given to that method alone.
/// </summary>
public sealed record AttributionOptions
{
    public Direction Direction { get; init; } = Direction.Noising;
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
