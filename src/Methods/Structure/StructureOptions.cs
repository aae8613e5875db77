using System.Globalization;

namespace Concord.Methods.Structure;

/// <summary>
/// The AND / OR analysis a study runs when it patches in both directions: every method's
/// asymmetry, and the joint noising of every pair among the <see cref="Interactions"/> components
/// with the largest share of the gap in either direction.
/// </summary>
public sealed record StructureOptions
{
    /// <summary>Components per kind whose pairs are noised jointly (`--interactions`); 0 turns the interactions off.</summary>
    public int Interactions { get; init; } = 12;

    /// <summary>The most components whose pairs a kind may ask for: 64 components are 2,016 pairs, each one stacked run per prompt.</summary>
    public const int MaxInteractions = 64;

    public string Id() => "interactions=" + Interactions.ToString(CultureInfo.InvariantCulture);
}
