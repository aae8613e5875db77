using System.Text;
using Concord.Model;
using CsvHelper;

namespace Concord.Tasks.Generators;

/// <summary>
/// Writes one task's CSV in the original schema from the project's word lists. Deterministic:
/// the same seed and lists give the same bytes (System.Random with a seed is stable across
/// platforms, and nothing depends on hash order or culture).
/// </summary>
public abstract class DatasetGenerator
{
    public abstract TaskKind Kind { get; }
    public abstract IReadOnlyList<string> Header { get; }
    public abstract IEnumerable<string[]> Rows(WordLists words, Random random, Gpt2Tokenizer tokenizer);

    public static DatasetGenerator For(TaskKind kind) => kind switch
    {
        TaskKind.Ioi => new IoiGenerator(),
        TaskKind.GenderBias => new GenderBiasGenerator(),
        TaskKind.GreaterThan => new GreaterThanGenerator(),
        TaskKind.CapitalCountry => new CapitalCountryGenerator(),
        TaskKind.Sva => new SvaGenerator(),
        TaskKind.Hypernymy => new HypernymyGenerator(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Generates into <paramref name="file"/> atomically; returns the number of rows.</summary>
    public int Generate(WordLists words, string file, int seed, Gpt2Tokenizer tokenizer)
    {
        var rows = Rows(words, new Random(seed), tokenizer).ToList();
        // The folder appears only once the rows exist: a bad word list leaves nothing behind.
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder) Directory.CreateDirectory(folder);
        AtomicFile.Write(file, stream =>
        {
            using var writer = CsvWriter.Create(stream, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);
            writer.WriteRecord(Header.ToArray());
            foreach (var row in rows) writer.WriteRecord(row);
        });
        return rows.Count;
    }

    protected static IReadOnlyList<string> SingleTokens(IEnumerable<string> words, Gpt2Tokenizer tokenizer) =>
        words.Where(w => tokenizer.IsSingleToken(" " + w)).ToList();

    protected static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    protected static string Id(Gpt2Tokenizer tokenizer, string text) => tokenizer.SingleToken(text).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
