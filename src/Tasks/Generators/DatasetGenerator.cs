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
        var (bytes, rows) = Render(words, seed, tokenizer);
        Write(file, bytes);
        return rows;
    }

    /// <summary>The CSV's bytes and its number of rows, nothing written (so a caller can check where they go first).</summary>
    public (byte[] Bytes, int Rows) Render(WordLists words, int seed, Gpt2Tokenizer tokenizer)
    {
        var rows = Rows(words, new Random(seed), tokenizer).ToList();
        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true))
        {
            writer.WriteRecord(Header.ToArray());
            foreach (var row in rows) writer.WriteRecord(row);
        }
        return (stream.ToArray(), rows.Count);
    }

    /// <summary>Writes rendered bytes to <paramref name="file"/> atomically, creating its folder.</summary>
    public static void Write(string file, byte[] bytes)
    {
        // The folder appears only once the rows exist: a bad word list leaves nothing behind.
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder) Directory.CreateDirectory(folder);
        AtomicFile.Write(file, stream => stream.Write(bytes));
    }

    protected static IReadOnlyList<string> SingleTokens(IEnumerable<string> words, Gpt2Tokenizer tokenizer) =>
        words.Where(w => tokenizer.IsSingleToken(" " + w)).ToList();

    protected static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    protected static string Id(Gpt2Tokenizer tokenizer, string text) => tokenizer.SingleToken(text).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
