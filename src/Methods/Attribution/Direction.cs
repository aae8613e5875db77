namespace Concord.Methods.Attribution;

/// <summary>
/// Noising: the clean run is the base, corrupted values are patched in (the default).
/// Denoising: the corrupted run is the base, clean values are patched in. In both, a is the base
/// activation, a' the other one, Δ = a' − a, and F is the base run's metric as a function of the hook.
/// </summary>
public enum Direction { Noising, Denoising }

public static class Directions
{
    /// <summary>The stable identifier: the command-line spelling and the text in unit keys. Never change one.</summary>
    public static string Id(this Direction direction) => direction switch
    {
        Direction.Noising => "noising",
        Direction.Denoising => "denoising",
        _ => throw new ArgumentOutOfRangeException(nameof(direction)),
    };

    public static Direction Parse(string text) => StableIds.Parse<Direction>(text, Id, "direction");
}
