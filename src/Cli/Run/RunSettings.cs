using System.Globalization;
using Concord.Methods.Attribution;
using Concord.Methods.Pipeline;
using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Studies;
using Concord.Methods.Verification;
using Concord.Methods.Interventions;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Cli.Run;

/// <summary>Everything `concord run` was asked to do, validated: the study's options and where and how to run it.</summary>
public sealed record RunSettings(
    StudyOptions Study,
    string? Model,
    string Device,
    bool Float64,
    string Out,
    bool Fresh,
    IReadOnlyList<(string Name, string Value)> CommandLine)
{
    /// <summary>With --shard I/N: compute only this shard's units and write no report.</summary>
    public Shard? Shard { get; init; }

    /// <summary>With --merge: compute nothing; build the outputs from the units the shards wrote.</summary>
    public bool Merge { get; init; }

    /// <summary>With --force: write into an --out no run made even over files of the names a run writes.</summary>
    public bool Force { get; init; }

    public IReadOnlyList<TaskDescriptor> Tasks => Study.Tasks;
    public PipelineOptions Pipeline => Study.Pipeline;
    public AttributionOptions Attribution => Pipeline.Attribution;
    public IgSettings Ig => Pipeline.Ig;
    public TaskOptions TaskOptions => Study.TaskOptions;
    public bool NoFilter => !Study.BehaviourFilter;
    public ScalarType DType => Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Which units this process computes: a shard's, none (a merge), or all.</summary>
    public UnitSelection Selection => Shard ?? (Merge ? UnitSelection.Merge : UnitSelection.All);
}
