using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Tasks;
using Concord.Tests.Agreement.Support;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>
/// One task's agreement, framed as a fixture: a deterministic small model (float64, so the pinned
/// numbers are the same on any x64 CPU) and a fixed slice of the task's dataset, with AP, IG and
/// AtP on heads, MLP layers and a neuron subset. Each derived fixture names its task; the
/// concerns live in the partial files (invariants, snapshots).
/// </summary>
public abstract partial class TaskAgreementFixture
{
    protected abstract TaskKind Task { get; }

    /// <summary>The first rows of the project's dataset: fixed, so a snapshot diff means the numbers changed.</summary>
    private const int Prompts = 6;

    protected static readonly PipelineOptions Options = new()
    {
        Methods = [Method.Ig, Method.Ap, Method.Atp],
        Kinds = [ComponentKind.Head, ComponentKind.Mlp, ComponentKind.Neuron],
        Attribution = new AttributionOptions { Steps = 32 },
        NeuronsPerLayer = 8,
        SweepScales = [0.25, 1],
        BatchSize = 3,
    };

    protected TaskAnalysis Analysis { get; private set; } = null!;
    protected TaskDataset Dataset { get; private set; } = null!;

    [OneTimeSetUp]
    public void RunThePipeline()
    {
        var resources = new TaskResources();
        Dataset = TaskDataset.Load(Task, resources.DefaultFile(Task), resources);
        using var model = HookedGpt2.Load(TestModels.TinyFolder, ScalarType.Float64);
        var pipeline = new AttributionPipeline(model, "tiny", Options, new MemoryUnitStore());
        var result = pipeline.Run(Dataset, "project-dataset", Dataset.Examples.Take(Prompts).ToList(), resources.Tokenizer);
        Analysis = TaskAnalysis.Of(result, Options);
    }
}

[TestFixture] public sealed class IoiAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.Ioi; }
[TestFixture] public sealed class GenderBiasAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.GenderBias; }
[TestFixture] public sealed class GreaterThanAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.GreaterThan; }
[TestFixture] public sealed class CapitalCountryAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.CapitalCountry; }
[TestFixture] public sealed class SvaAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.Sva; }
[TestFixture] public sealed class HypernymyAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.Hypernymy; }
