using Concord.Methods.Components;
using Concord.Methods.Results;

namespace Concord.Methods.Attribution;

/// <summary>
/// IG and AP with the corruption scaled to a'(s) = a + sΔ, and AtP scaled by s (their common limit
/// as s → 0), on the components AP scored.
/// </summary>
public sealed record SweepPoint(double Scale, ComponentKind Kind, ScoreSet Ig, ScoreSet Ap, ScoreSet AtpScaled);
