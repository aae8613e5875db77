namespace Concord.Methods.Attribution;

/// <summary>
/// Noising: the clean run is the base, corrupted values are patched in (the default).
/// Denoising: the corrupted run is the base, clean values are patched in. In both, a is the base
/// activation, a' the other one, Δ = a' − a, and F is the base run's metric as a function of the hook.
/// </summary>
public enum Direction { Noising, Denoising }

public static class Directions
{
    public static Direction Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "noising" => Direction.Noising,
        "denoising" => Direction.Denoising,
        _ => throw new ArgumentException($"unknown direction '{text}' (noising, denoising)"),
    };
}
