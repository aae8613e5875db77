using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Structure;
using Concord.Studies;
using Concord.Methods.Verification;
using Concord.Tasks.Models;
using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Agreement.Fixtures;

/// <summary>
/// One task's agreement, framed as a fixture: the bundled task model, which performs all six tasks
/// (run in float64, so the pinned numbers are the same on any x64 CPU), and a fixed slice of the
/// task's dataset, with AP, IG and AtP on heads, MLP layers and a neuron subset. Each derived fixture names its task; the
/// concerns live in the partial files (invariants, snapshots).
/// </summary>
public abstract partial class TaskAgreementFixture
{
    protected abstract TaskKind Task { get; }

    /// <summary>The first rows of the project's dataset: fixed, so a snapshot diff means the numbers changed.</summary>
    private const int Prompts = 6;

    /// <summary>
    /// Gauss–Legendre nodes for IG, per task, chosen by measurement on the task model (float64, these
    /// six prompts, heads and MLP layers): the largest completeness error relative to F(a') − F(a) was
    /// 3e-12 (IOI), 4e-5 (gender), 1e-7 (capital–country), 8e-5 (hypernymy) at 32 nodes; greater-than
    /// 4e-2 at 32, 5e-4 at 64, 6e-8 at 128; SVA 0.64 at 32, 0.68 at 64, 0.075 at 128, 0.012 at 256,
    /// 2e-5 at 512. A confident model flips its answer over a short stretch of the path a → a', and
    /// the quadrature must resolve it; SVA's probability difference flips sharpest.
    /// </summary>
    protected virtual int QuadratureSteps => 32;

    protected PipelineOptions Options => new()
    {
        Methods = [Method.Ig, Method.Ap, Method.Atp],
        Spaces = [TargetSpace.Head, TargetSpace.Mlp, TargetSpace.Neuron],
        Ig = IgSettings.FixedNodes(QuadratureSteps),
        NeuronsPerLayer = 8,
        SweepScales = [0.25, 1],
        BatchSize = 3,
    };

    /// <summary>What `concord run` runs, on the first rows of the task's dataset and without the behaviour filter (the rows stay fixed).</summary>
    protected StudyOptions StudyOptions => new()
    {
        Tasks = [Task],
        Examples = Prompts,
        Order = ExampleOrder.FirstRows,
        BehaviourFilter = false,
        Pipeline = Options,
        Verification = new VerificationOptions(),
        Structure = new StructureOptions { Interactions = FixtureInteractions },
        Edges = FixtureEdges,
    };

    protected TaskAnalysis Analysis { get; private set; } = null!;
    protected TaskDataset Dataset { get; private set; } = null!;

    [OneTimeSetUp]
    public void RunTheStudy()
    {
        using var model = HookedGpt2.Load(TestModels.TaskModelFolder, ScalarType.Float64);
        var study = Study.Prepare(model, ModelResolver.Resolve(TestModels.TaskModelFolder, new Concord.Model.Store.ModelStore()), "cpu", StudyOptions);
        var task = study.Run().Tasks.Single();
        Dataset = task.Task.Dataset;
        Analysis = task.Analysis!;
        Verification = task.Verification!;
        Opposite = task.Opposite!;
        Structure = task.Structure!;
        Edges = task.Edges!;
    }
}

[TestFixture] public sealed class IoiAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.Ioi; }
[TestFixture] public sealed class GenderBiasAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.GenderBias; }
[TestFixture] public sealed class GreaterThanAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.GreaterThan; protected override int QuadratureSteps => 128; }
[TestFixture] public sealed class CapitalCountryAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.CapitalCountry; }
[TestFixture] public sealed class SvaAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.Sva; protected override int QuadratureSteps => 512; }
[TestFixture] public sealed class HypernymyAgreement : TaskAgreementFixture { protected override TaskKind Task => TaskKind.Hypernymy; }
