using BenchmarkDotNet.Attributes;
using Concord.Methods.Attribution;
using Concord.Methods.Attribution.Naive;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Tasks;

namespace Concord.Benchmarks;

/// <summary>
/// The whole per-task pipeline on one batch (heads and MLP layers; IG, AP and AtP; caching and
/// agreement), against the notebook's way of computing the same scores: one full forward per AP
/// patch and per IG step, AtP with its own forward.
/// </summary>
public class PipelineBenchmarks : BenchmarkBase
{
    private static readonly TargetSpace[] Kinds = [TargetSpace.Head, TargetSpace.Mlp];
    private static readonly PipelineOptions Options = new()
    {
        Methods = [Method.Ig, Method.Ap, Method.Atp],
        Spaces = Kinds,
        Ig = IgSettings.FixedNodes(10),
        BatchSize = int.MaxValue,
    };
    private TaskDataset _dataset = null!;
    private List<TaskExample> _examples = null!;
    private TaskBatch _batch = null!;
    private readonly TaskResources _resources = new();

    public override void Setup()
    {
        base.Setup();
        _dataset = TaskDataset.Load(TaskKind.Ioi, _resources.DefaultFile(TaskKind.Ioi), _resources);
        _examples = _dataset.Examples.Take(Prompts).ToList();
        // Both variants see the same prompts at their natural lengths (the pipeline tokenises them itself).
        _batch = TaskBatch.Create(_dataset, _examples, _resources.Tokenizer, Work.Model.DType, Work.Model.Device);
    }

    public override void Cleanup()
    {
        _batch.Dispose();
        base.Cleanup();
    }

    [Benchmark(Baseline = true)]
    public void PipelineNaive() => Synchronised(() =>
    {
        using var context = AttributionContext.Create(Work.Model, _batch, Kinds, Options.Attribution);
        var scores = new List<Concord.Methods.Results.ScoreSet>();
        foreach (var kind in Kinds)
            for (int l = 0; l < Work.Model.Config.NLayer; l++)
            {
                scores.Add(NaiveActivationPatching.Layer(context, kind, l).Scores);
                scores.Add(NaiveIntegratedGradients.Layer(context, kind, l, ((IgQuadrature.Fixed)Options.Ig.Quadrature).Points).Scores);
            }
        new AttributionPatching().AttributeAll(context, Kinds);
    });

    [Benchmark]
    public void Pipeline() => Synchronised(() =>
    {
        var pipeline = new AttributionPipeline(Work.Model, "bench", Options, new MemoryUnitStore());
        var result = pipeline.Run(_dataset, "bench", _examples, _resources.Tokenizer);
        TaskAnalysis.Of(result, Options);
    });
}
