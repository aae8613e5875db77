namespace Concord.Tasks.Generators;

/// <summary>Plain-text word lists of datasets/words: one entry per line, '#' starts a comment, tabs separate columns.</summary>
public sealed class WordLists(string folder)
{
    public string Folder { get; } = folder;

    public IReadOnlyList<string> Lines(string file)
    {
        var path = Path.Combine(Folder, file);
        if (!File.Exists(path)) throw new DatasetException($"{path}: word list not found");
        return Concord.Model.InputFiles.ReadText(path, Concord.Model.InputFiles.WordListBytes, "a word list")
            .Split(["\r\n", "\r", "\n"], StringSplitOptions.None)
            .Select(l => l.TrimEnd())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
    }

    public IReadOnlyList<string[]> Table(string file, int columns)
    {
        var rows = Lines(file).Select(l => l.Split('\t')).ToList();
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Length != columns)
                throw new DatasetException($"{Path.Combine(Folder, file)}: entry {i + 1} has {rows[i].Length} tab-separated columns, expected {columns}");
        return rows;
    }
}
