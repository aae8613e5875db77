using Concord.Methods.Pipeline;
using Concord.Studies.Outputs;
using Concord.Studies.Storage;
using System.Globalization;
using Concord.Methods.Agreement;
using Concord.Methods.Attribution;
using Concord.Studies;
using Concord.Methods.Targets;
using Concord.Tasks;
using Concord.Tasks.Models;
using Spectre.Console;

namespace Concord.Cli.Run;

/// <summary>What `concord run` prints: notes on the model, the units per task, and the table of median agreement.</summary>
public static class ConsoleSummary
{
    public static void PrintModel(ResolvedModel model)
    {
        Console.WriteLine($"model: {model.Description}");
        if (model.IsRandom) Console.WriteLine("note: results on a random model test the machinery; they say nothing about GPT-2");
        if (model.Kind == ModelKind.Trained) Console.WriteLine("note: a small model trained to do the tasks: results describe how IG and AP behave on a model that implements them, not GPT-2's circuits");
    }

    public static void PrintUnits(StudyOutcome result, RunSettings settings)
    {
        foreach (var task in result.Tasks)
        {
            var id = task.Task.Kind.Id();
            var costliest = task.Costs.OrderByDescending(c => c.Value.Seconds).Take(3)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value.Seconds:F1} s"));
            Console.WriteLine($"{id}: {task.ComputedUnits} units computed, {task.ReusedUnits} {(settings.Merge ? "read" : "reused")}, {task.Time.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s" +
                              (task.Costs.Count > 0 ? $" (most: {string.Join(", ", costliest)}; all in run.json)" : ""));
            foreach (var rejected in task.Rejected) Console.WriteLine($"{id}: {rejected}; {(settings.Merge ? "counted as missing" : "recomputed")}");
        }
        if (settings.Shard is { } shard)
            Console.WriteLine($"shard {shard} done: {result.Tasks.Sum(t => t.ComputedUnits)} units computed, {result.Tasks.Sum(t => t.ReusedUnits)} reused; " +
                              "when every shard is done, run the same command with --merge instead of --shard");
    }

    /// <summary>Per task and component kind: every summary statistic of the research question's pair, and Pearson r of the other pairs.</summary>
    public static void Print(StudyOutcome result, RunSettings settings)
    {
        var pairs = settings.Pipeline.MethodCatalogue.Pairs(settings.Pipeline.Methods);
        var headline = pairs.FirstOrDefault();
        var statistics = settings.Pipeline.StatisticCatalogue.InSummary;
        var table = new Table().Border(TableBorder.Ascii2).Title("median across prompts");
        table.AddColumn("task");
        table.AddColumn("components");
        foreach (var s in statistics) table.AddColumn($"{Label(headline)} {s.ShortName}");
        foreach (var pair in pairs.Skip(1)) table.AddColumn($"{Label(pair)} r");
        var checkedMethod = Headline.Checked(settings.Pipeline);
        if (checkedMethod is not null) table.AddColumn($"{checkedMethod.DisplayName} compl. err");
        bool verified = result.Tasks.Any(t => t.Verification is not null);
        if (verified) table.AddColumn("most faithful (CPR)");
        foreach (var task in result.Tasks)
        {
            if (task.Analysis is not { } analysis) continue;
            foreach (var component in analysis.Agreements.Select(a => a.Space).Distinct())
            {
                PairAgreement? Find((Method First, Method Second) p) => analysis.Agreements.FirstOrDefault(a => a.Space == component && a.First == p.First && a.Second == p.Second);
                var first = Find(headline);
                bool identity = first is not null && TaskAnalysis.EqualByConstruction(first, settings.Pipeline);
                double completeness = Headline.CompletenessError(analysis, checkedMethod, component);
                bool evidence = first is null || analysis.IsEvidence(first);
                table.AddRow([task.Task.Kind.Id(), component.Id(),
                    .. statistics.Select((s, i) => identity ? "= by constr." : !evidence ? (i == 0 ? "not converged" : "") : Report.Median(first, s)),
                    .. pairs.Skip(1).Select(p => Find(p) is { } other && !analysis.IsEvidence(other) ? "not converged" : Report.Median(Find(p), AgreementStatistic.Pearson)),
                    .. checkedMethod is null ? Array.Empty<string>() : [double.IsFinite(completeness) ? completeness.ToString("E1", CultureInfo.InvariantCulture) : "–"],
                    .. verified ? [VerificationReport.MostFaithful(task.Verification, component, settings.Pipeline.MethodCatalogue)] : Array.Empty<string>()]);
            }
        }
        // Redirected output has no terminal width; a wide table beats one wrapped into unreadable cells.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 150);
        AnsiConsole.Write(table);
    }

    private static string Label((Method First, Method Second) pair) => pair.First is null ? "" : $"{pair.First.DisplayName}↔{pair.Second.DisplayName}";
}
