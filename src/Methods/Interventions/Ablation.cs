namespace Concord.Methods.Interventions;

/// <summary>What an intervened component is replaced by.</summary>
public enum Ablation
{
    /// <summary>The other run's value (corrupted when noising): activation patching's and MIB's choice, the default.</summary>
    Resample,
    /// <summary>The component's mean over every real token position of the task sample's clean prompts.</summary>
    Mean,
    /// <summary>Zero.</summary>
    Zero,
}

public static class Ablations
{
    /// <summary>The stable identifier: the command-line spelling and the text in unit keys and outputs. Never change one.</summary>
    public static string Id(this Ablation ablation) => ablation switch
    {
        Ablation.Resample => "resample",
        Ablation.Mean => "mean",
        Ablation.Zero => "zero",
        _ => throw new ArgumentOutOfRangeException(nameof(ablation)),
    };

    public static Ablation Parse(string text) => StableIds.Parse<Ablation>(text, Id, "ablation");
}
