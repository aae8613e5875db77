using Concord.Model;

namespace Concord.Tasks.Training;

/// <summary>What <c>concord model train</c> was asked to do.</summary>
public sealed record TrainingRun(TrainingPreset Preset, string Out, int Seed = 0, int? Steps = null, double? Minutes = null,
    bool Resume = false, bool HalfPrecision = true, HeldOutSplit? Split = null, double HeadDropout = 0)
{
    public HeldOutSplit HeldOut => Split ?? HeldOutSplit.Default;

    /// <summary>Train into <see cref="Out"/> even where it holds files of the names a training writes (a model, a card), replacing them.</summary>
    public bool Force { get; init; }

    public void Validate()
    {
        if (Steps is int s && s < 1) throw new SettingException(nameof(Steps), $"must be at least 1 (got {s})");
        if (Minutes is double m && !(m > 0 && double.IsFinite(m))) throw new SettingException(nameof(Minutes), $"must be a positive number (got {m.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        if (Steps is not null && Minutes is not null) throw new SettingException(nameof(Steps), "and Minutes exclude each other: give one of them");
        if (string.IsNullOrWhiteSpace(Out)) throw new SettingException(nameof(Out), "must name a folder");
        if (!(HeadDropout >= 0 && HeadDropout < 1)) throw new SettingException(nameof(HeadDropout), $"must lie in [0, 1) (got {HeadDropout.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
    }

    /// <summary>
    /// The options that determine the trained weights. A checkpoint is continued only under an equal
    /// fingerprint; with --minutes the step count is fixed once measured and stored in the checkpoint.
    /// </summary>
    public string Fingerprint(int vocabularyRows) =>
        $"preset={Preset.Describe()} seed={Seed} steps={(Steps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? (Minutes is null ? "preset" : "minutes"))} " +
        $"split={HeldOut} vocabulary={vocabularyRows}" +
        // Only when on, so checkpoints of runs without it keep their fingerprint.
        (HeadDropout > 0 ? $" head-dropout={HeadDropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" : "");
}
