namespace Concord.Tasks;

/// <summary>
/// One row of a task: a clean and a corrupted prompt of equal token length, and the answer
/// tokens the metric contrasts: <see cref="Positive"/> (the clean behaviour) against
/// <see cref="Negative"/>.
/// </summary>
public sealed record TaskExample(int Row, string Clean, string Corrupted, int[] Positive, int[] Negative, string? Group = null);

/// <summary>How the metric reads the answer tokens at the last position.</summary>
public enum MetricReadout
{
    /// <summary>Mean logit of the positive answers minus mean logit of the negative ones (a plain logit difference for one answer each).</summary>
    LogitDifference,
    /// <summary>Summed probability of the positive answers minus that of the negative ones.</summary>
    ProbabilityDifference,
}

public static class MetricReadouts
{
    /// <summary>The stable identifier, as unit keys write it. Never change one.</summary>
    public static string Id(this MetricReadout readout) => readout switch
    {
        MetricReadout.LogitDifference => "logit-difference",
        MetricReadout.ProbabilityDifference => "probability-difference",
        _ => throw new ArgumentOutOfRangeException(nameof(readout)),
    };
}
