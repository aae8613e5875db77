using System.Globalization;
using Concord.Model;

namespace Concord.Tasks.Evaluation;

/// <summary>
/// The study's hypernymy filter: keep the rows on which a model (GPT-2 small in the study) puts at
/// least <c>threshold</c> more probability on the clean answers than on the corrupted ones, and
/// record that difference in the <c>prob_diff</c> column.
/// </summary>
public static class HypernymyFilter
{
    public const double StudyThreshold = TaskDescriptor.HypernymyThreshold;

    /// <summary>Writes the kept rows (every column of the input, prob_diff filled) to <paramref name="output"/>; returns kept and total rows.</summary>
    public static (int Kept, int Total) Apply(HookedGpt2 model, string input, string output, TaskResources resources, double threshold = StudyThreshold)
    {
        var dataset = TaskDataset.Load(TaskKind.Hypernymy, input, resources);
        var rows = CsvTable.Read(input, []);
        var (clean, _) = TaskEvaluation.PromptMetrics(model, dataset.Examples, dataset.Readout, resources.Tokenizer, batchSize: 16);
        var scores = dataset.Examples.Select((e, i) => (e.Row, Score: clean[i])).ToDictionary(p => p.Row, p => p.Score);
        var header = rows[0].Fields.Keys.ToList();
        if (!header.Contains("prob_diff")) header.Add("prob_diff");
        var kept = rows.Where(r => scores[r.Row] >= threshold).ToList();
        AtomicFile.Write(output, stream =>
        {
            using var writer = CsvHelper.CsvWriter.Create(stream, CsvHelper.CsvWriterOptions.Default with { NewLine = "\n" }, true);
            writer.WriteRecord(header.ToArray());
            foreach (var r in kept)
                writer.WriteRecord(header.Select(h => h == "prob_diff"
                    ? scores[r.Row].ToString("R", CultureInfo.InvariantCulture)
                    : r.Fields.GetValueOrDefault(h, "")).ToArray());
        });
        return (kept.Count, rows.Count);
    }
}
