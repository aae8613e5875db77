using System.Globalization;
using Concord.Model;
using CsvHelper;

namespace Concord.Methods.Results;

/// <summary>
/// The long-format scores file: <c>prompt,layer,kind,index,position,method,score</c>, one row per
/// prompt, component and method; <c>position</c> is empty when all positions were patched together.
/// Positions past a prompt's own length (padding) are left out.
/// </summary>
public static class ScoreCsv
{
    public static readonly string[] Header = ["prompt", "layer", "kind", "index", "position", "method", "score"];

    /// <param name="promptIds">The id written for each prompt of the sets (e.g. the dataset row).</param>
    public static void Write(string path, IEnumerable<ScoreSet> sets, IReadOnlyList<int> promptIds, IReadOnlyList<int>? promptLengths = null) =>
        Write(path, [new Batch(sets, promptIds, promptLengths)]);

    /// <summary>Score sets of one batch of prompts, named by <c>PromptIds</c>.</summary>
    public sealed record Batch(IEnumerable<ScoreSet> Sets, IReadOnlyList<int> PromptIds, IReadOnlyList<int>? PromptLengths);

    /// <summary>Every batch's score sets in turn; a space's targets write their own index text (an edge's EAP-IG name).</summary>
    public static void Write(string path, IEnumerable<Batch> batches)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = CsvWriter.Create(stream, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);
            writer.WriteRecord(Header);
            foreach (var (sets, promptIds, promptLengths) in batches)
            foreach (var set in sets)
                for (int b = 0; b < set.Prompts; b++)
                    for (int j = 0; j < set.Targets.Count; j++)
                    {
                        var c = set.Targets[j];
                        if (c.Position is int p && promptLengths is not null && p >= promptLengths[b]) continue;
                        writer.WriteRecord(
                        [
                            promptIds[b].ToString(CultureInfo.InvariantCulture),
                            c.Layer.ToString(CultureInfo.InvariantCulture),
                            c.Space.Id(),
                            c.Space.IndexText(c),
                            c.Position?.ToString(CultureInfo.InvariantCulture) ?? "",
                            set.MethodId,
                            set.Values[b, j].ToString("R", CultureInfo.InvariantCulture),
                        ]);
                    }
        });
    }
}
