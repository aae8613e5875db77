// A task of one's own on the Concord packages: who receives the object? Prompts and answers read
// from this folder's receiver.csv by a row parser written here, the metric logit(receiver) −
// logit(giver), and the whole study — IG, AP and AtP over heads and MLP layers, their agreement,
// scores.csv, agreement.json, plots, run.json and report.md — run by Concord.Studies, as `concord
// run` runs the six built-in tasks. Nothing here refers to the command-line program.
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Model;
using Concord.Studies;
using Concord.Studies.Outputs;
using Concord.Studies.Running;
using Concord.Tasks;
using Concord.Tasks.Models;

string modelFolder = args.Length > 0 ? args[0] : "models/concord-tasks-small";
string outFolder = Path.GetFullPath(args.Length > 1 ? args[1] : "custom-task-results");
if (!File.Exists(Path.Combine(modelFolder, "config.json")))
{
    Console.Error.WriteLine($"error: no model at {Path.GetFullPath(modelFolder)} (pass a folder with config.json and model.safetensors)");
    return 2;
}

// The task as a value: id (its folder and unit keys), display name, data file, columns, metric and
// row parser. Each row names two people and a stranger: the clean prompt names the giver a second
// time, the corrupted one names the stranger instead; the receiver is the first person.
var tokenizer = Gpt2Tokenizer.Instance;
var receiver = TaskDescriptor.FromRows("receiver", "who receives", "receiver.csv", ["first", "second", "stranger"], MetricReadout.LogitDifference,
    (row, _) =>
    {
        string Prompt(string giver) => $"At the party, {row.Text("first")} and {row.Text("second")} talked for hours. {giver} handed the cake to";
        return new TaskExample(row.Row, Prompt(row.Text("second")), Prompt(row.Text("stranger")),
            [tokenizer.SingleToken(" " + row.Text("first"))], [tokenizer.SingleToken(" " + row.Text("second"))], row.Text("first"));
    });

var options = new StudyOptions
{
    Tasks = [receiver],
    Examples = 4,
    // Every prompt is reported, shown behaviour or not (the filter keeps only prompts with metric > 0).
    BehaviourFilter = false,
    Pipeline = new PipelineOptions { Spaces = [TargetSpace.Head, TargetSpace.Mlp], Ig = IgSettings.FixedNodes(32), BatchSize = 4 },
};
using var model = HookedGpt2.Load(modelFolder);
var resolved = ModelResolver.Describe(modelFolder, Path.GetFileName(Path.GetFullPath(modelFolder)));
// The data file is looked up next to this program (receiver.csv is copied there by the build).
var study = Study.Prepare(model, resolved, "cpu", options, new TaskResources(datasetsFolder: AppContext.BaseDirectory));
var outcome = StudyRun.Execute(study, new StudyOutput(outFolder) { Fresh = true }).Tasks.Single();
var analysis = outcome.Analysis!;

var batches = analysis.Result.Batches;
int prompt = 0;
foreach (var batch in batches)
    for (int p = 0; p < batch.Rows.Length; p++)
    {
        var example = study.Tasks[0].Dataset.Examples.Single(e => e.Row == batch.Rows[p]);
        Console.WriteLine($"prompt {prompt++}: logit({example.Group}) − logit(giver) clean {batch.Metrics.Base[p]:F3}, corrupted {batch.Metrics.Other[p]:F3}");
    }
foreach (var kind in options.Pipeline.Spaces)
{
    // IG's completeness error relative to each prompt's effect F(a') − F(a), the worst over layers and prompts.
    double worst = batches.Max(b => b.Result(Method.Ig, kind)!.Completeness.Max(c => c.Check.Delta.Select((d, p) => Math.Abs(d) / Math.Abs(b.Metrics.FullEffect[p])).Max()));
    Console.WriteLine($"{kind.Plural}: IG completeness error at most {worst:E1} of |F(a') − F(a)| (32 Gauss–Legendre nodes)");
    foreach (var pair in analysis.Agreements.Where(p => p.Space == kind))
        Console.WriteLine($"  {pair.Label}: Pearson r median {pair.AcrossPrompts.Pearson.Median:F3}, Spearman ρ median {pair.AcrossPrompts.Spearman.Median:F3}, top-{pair.TopK} Jaccard median {pair.AcrossPrompts.Jaccard.Median:F3}");
    var ap = analysis.MeanScores(Method.Ap, kind);
    Console.WriteLine("  largest mean AP: " + string.Join(", ", ap.OrderByDescending(x => Math.Abs(x.Value)).Take(3).Select(x => $"{x.Key} {x.Value:+0.000;-0.000}")));
}
Console.WriteLine($"report: {Path.Combine(outFolder, Report.FileName)}");
return 0;
