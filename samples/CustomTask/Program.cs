// A task of one's own on the Concord packages: who receives the object? Prompts written here, a
// metric written here, AP, IG and AtP over heads and MLP layers, and how much IG and AP agree.
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Model;
using Concord.Tasks;
using static TorchSharp.torch;

string modelFolder = args.Length > 0 ? args[0] : "models/concord-tasks-small";
if (!File.Exists(Path.Combine(modelFolder, "config.json")))
{
    Console.Error.WriteLine($"error: no model at {Path.GetFullPath(modelFolder)} (pass a folder with config.json and model.safetensors)");
    return 2;
}

// (first name, second name, the one who receives, a third name for the corruption): the clean
// prompt names the giver a second time, the corrupted one names a stranger instead.
var rows = new[]
{
    ("Mary", "John", "Tom"), ("Lisa", "Paul", "Sarah"), ("David", "Anna", "Mark"), ("Laura", "James", "Amy"),
};
var tokenizer = Gpt2Tokenizer.Instance;
string Prompt(string a, string b, string giver) => $"At the party, {a} and {b} talked for hours. {giver} handed the cake to";
var clean = rows.Select(r => tokenizer.Encode(Prompt(r.Item1, r.Item2, r.Item2))).ToArray();
var corrupted = rows.Select(r => tokenizer.Encode(Prompt(r.Item1, r.Item2, r.Item3))).ToArray();
var receiver = rows.Select(r => tokenizer.SingleToken(" " + r.Item1)).ToArray();
var giver = rows.Select(r => tokenizer.SingleToken(" " + r.Item2)).ToArray();

using var model = HookedGpt2.Load(modelFolder);
using var cleanBatch = TokenBatch.FromIds(clean);
using var corruptedBatch = TokenBatch.FromIds(corrupted);
using var context = AttributionContext.Create(model, cleanBatch, corruptedBatch, new ReceiverMinusGiver(receiver, giver),
    [ComponentKind.Head, ComponentKind.Mlp]);

var cleanMetric = context.BaseMetric.ToDoubles();
var corruptedMetric = context.OtherMetric.ToDoubles();
for (int i = 0; i < rows.Length; i++)
    Console.WriteLine($"prompt {i}: logit({rows[i].Item1}) − logit({rows[i].Item2}) clean {cleanMetric[i]:F3}, corrupted {corruptedMetric[i]:F3}");

IAttributionMethod[] methods = [new ActivationPatching(), new IntegratedGradients(IgSettings.FixedNodes(32)), new AttributionPatching()];
foreach (var kind in new[] { ComponentKind.Head, ComponentKind.Mlp })
{
    var results = methods.ToDictionary(m => m.Method, m => m.Attribute(context, kind));
    var ig = results[Method.Ig];
    double worst = ig.Completeness.Max(c => c.Check.Delta.Select((d, i) => Math.Abs(d) / Math.Abs(corruptedMetric[i] - cleanMetric[i])).Max());
    Console.WriteLine($"{kind.Plural()}: IG completeness error at most {worst:E1} of |F(a') − F(a)| ({ig.Completeness.First().Check.Steps} Gauss–Legendre nodes)");
    foreach (var (first, second) in new[] { (Method.Ig, Method.Ap), (Method.Atp, Method.Ap) })
    {
        var pair = PairAgreement.Compute(results[first].Scores, results[second].Scores, kind);
        Console.WriteLine($"  {pair.Label}: Pearson r median {pair.AcrossPrompts.Pearson.Median:F3}, Spearman ρ median {pair.AcrossPrompts.Spearman.Median:F3}, top-{pair.TopK} Jaccard median {pair.AcrossPrompts.Jaccard.Median:F3}");
    }
    var ap = results[Method.Ap].Scores;
    var top = Enumerable.Range(0, ap.Components.Count)
        .Select(j => (Component: ap.Components[j], Mean: Enumerable.Range(0, ap.Prompts).Average(p => ap[p, j])))
        .OrderByDescending(x => Math.Abs(x.Mean)).Take(3);
    Console.WriteLine("  largest mean AP: " + string.Join(", ", top.Select(x => $"{x.Component} {x.Mean:+0.000;-0.000}")));
}
return 0;

/// <summary>logit(receiver) − logit(giver) of each row's own prompt: a metric is any map from last-token logits to one value per row.</summary>
sealed class ReceiverMinusGiver(int[] receiver, int[] giver) : IPromptMetric
{
    private readonly Tensor _receiver = tensor(receiver.Select(t => (long)t).ToArray());
    private readonly Tensor _giver = tensor(giver.Select(t => (long)t).ToArray());

    // IG and AP stack many copies of the batch; `prompts` says which prompt each row is.
    public Tensor Evaluate(Tensor lastLogits, Tensor prompts)
    {
        var receiverLogit = lastLogits.gather(1, _receiver.to(lastLogits.device)[prompts].unsqueeze(1)).squeeze(1);
        var giverLogit = lastLogits.gather(1, _giver.to(lastLogits.device)[prompts].unsqueeze(1)).squeeze(1);
        return receiverLogit - giverLogit;
    }
}
