using System.Globalization;
using CsvHelper;

namespace Concord.Tasks.Csv;

/// <summary>One data row of a task CSV; every accessor fails with the file, row and column named.</summary>
public sealed class CsvRow(string file, int row, IReadOnlyDictionary<string, string> fields)
{
    public string File { get; } = file;
    /// <summary>1-based data row number (the header is row 0), as a spreadsheet shows it minus one.</summary>
    public int Row { get; } = row;
    public IReadOnlyDictionary<string, string> Fields { get; } = fields;

    public DatasetException Error(string column, string problem) => new($"{File}: row {Row}, column '{column}': {problem}");

    public string Text(string column)
    {
        if (!Fields.TryGetValue(column, out var v)) throw Error(column, "missing");
        if (string.IsNullOrEmpty(v)) throw Error(column, "empty");
        return v;
    }

    /// <summary>
    /// A whole number in invariant digits, or as pandas writes integer columns ("14235.0"). Nothing
    /// looser: a token id read from "1,000", " 14" or "1e3" would silently be another token.
    /// </summary>
    public int Int(string column)
    {
        var v = Text(column);
        var whole = WholeNumber.Match(v);
        if (!whole.Success) throw Error(column, $"'{v}' is not an integer (digits 0-9 with an optional sign, such as 14235)");
        return int.TryParse(whole.Groups["digits"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) ? i
            : throw Error(column, $"'{v}' is out of range for an integer");
    }

    private static readonly System.Text.RegularExpressions.Regex WholeNumber = new(@"^(?<digits>[+-]?[0-9]+)(\.0*)?\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public int[] IntList(string column)
    {
        var v = Text(column);
        try
        {
            var list = ListLiteral.ParseInts(v);
            return list.Length > 0 ? list : throw Error(column, "empty list");
        }
        catch (FormatException e) { throw Error(column, e.Message); }
    }

    public string[] StringList(string column)
    {
        var v = Text(column);
        try { return ListLiteral.ParseStrings(v); }
        catch (FormatException e) { throw Error(column, e.Message); }
    }
}

/// <summary>Reads a CSV with a header (CsvHelper 34), checking the required columns up front.</summary>
public static class CsvTable
{
    /// <summary>A text file has no NUL bytes; anything else is refused before its bytes reach a message.</summary>
    public static void RequireText(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        var head = new byte[Math.Min(stream.Length, 64 * 1024)];
        stream.ReadExactly(head);
        if (Array.IndexOf(head, (byte)0) >= 0) throw new DatasetException($"{path}: not a text CSV file (it holds binary data)");
    }

    public static List<CsvRow> Read(string path, IReadOnlyCollection<string> requiredColumns)
    {
        if (Directory.Exists(path)) throw new DatasetException($"{path}: is a folder, not a CSV file");
        if (!System.IO.File.Exists(path)) throw new DatasetException($"{path}: file not found");
        RequireText(path);
        var options = CsvReaderOptions.Default with { Separator = ',' };
        using var reader = CsvReader.FromFile(path, options);
        string[] headers;
        try
        {
            reader.ReadHeader();
            headers = reader.Headers.ToArray();
        }
        catch (Exception e) when (e is CsvFormatException or InvalidOperationException)
        {
            throw new DatasetException($"{path}: cannot read the header ({e.Message})");
        }
        if (headers.Length == 0 || headers.All(string.IsNullOrWhiteSpace))
            throw new DatasetException($"{path}: empty file (no header row)");
        var missing = requiredColumns.Where(c => !headers.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new DatasetException($"{path}: missing column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"'{m}'"))} (found: {string.Join(", ", headers.Select(h => $"'{h}'"))})");

        var rows = new List<CsvRow>();
        try
        {
            while (reader.Read())
            {
                // A field beyond the header belongs to no column: a stray comma or a shifted row, never silently dropped.
                if (reader.FieldCount > headers.Length)
                    throw new DatasetException($"{path}: row {rows.Count + 1} has {reader.FieldCount} fields, the header {headers.Length} ({string.Join(", ", headers.Select(h => $"'{h}'"))}); " +
                                               $"field {headers.Length + 1} is '{Shorten(reader.GetString(headers.Length) ?? "")}' (quote a field that holds a comma)");
                var fields = new Dictionary<string, string>();
                for (int i = 0; i < headers.Length && i < reader.FieldCount; i++) fields[headers[i]] = reader.GetString(i) ?? "";
                rows.Add(new CsvRow(path, rows.Count + 1, fields));
            }
        }
        catch (CsvFormatException e)
        {
            throw new DatasetException($"{path}: row {rows.Count + 1}: malformed CSV ({e.Message})");
        }
        if (rows.Count == 0) throw new DatasetException($"{path}: no data rows");
        return rows;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
