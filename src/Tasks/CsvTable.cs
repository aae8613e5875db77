using System.Globalization;
using CsvHelper;
using Concord.Model;

namespace Concord.Tasks;

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
    /// <summary>
    /// A text file in UTF-8, the only encoding read: UTF-16 and UTF-32 (a spreadsheet's "Unicode text")
    /// are named as such, other binary data is refused before its bytes reach a message, and a byte that
    /// is not UTF-8 (a Latin-1 file) is named by its line rather than read as U+FFFD, which tokenizes
    /// differently and surfaces later as an unrelated mismatch.
    /// Refused first: a special file (a FIFO would hang the open) and a file larger than <paramref name="maxBytes"/>
    /// (<see cref="InputFiles.TaskCsvBytes"/> unless the caller reads another kind of CSV).
    /// </summary>
    public static void RequireText(string path, long maxBytes = InputFiles.TaskCsvBytes, string what = "a task CSV")
    {
        InputFiles.Require(path, maxBytes, what);
        using var stream = System.IO.File.OpenRead(path);
        var head = new byte[Math.Min(stream.Length, 64 * 1024)];
        stream.ReadExactly(head);
        if (WideEncoding(head) is { } encoding) throw new DatasetException($"{path}: the file is {encoding} text; save it as UTF-8 (CSV files are read as UTF-8)");
        if (Array.IndexOf(head, (byte)0) >= 0) throw new DatasetException($"{path}: not a text CSV file (it holds binary data)");
        stream.Position = 0;
        RequireUtf8(path, stream);
    }

    /// <summary>UTF-16 or UTF-32 by its byte order mark, or without one by the zero bytes of an ASCII start (every header is ASCII).</summary>
    private static string? WideEncoding(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((byte[])[0xFF, 0xFE, 0, 0]) || Repeats(head, width: 4, textByte: 0)) return "UTF-32 (little-endian)";
        if (head.StartsWith((byte[])[0, 0, 0xFE, 0xFF]) || Repeats(head, width: 4, textByte: 3)) return "UTF-32 (big-endian)";
        if (head.StartsWith((byte[])[0xFF, 0xFE]) || Repeats(head, width: 2, textByte: 0)) return "UTF-16 (little-endian)";
        if (head.StartsWith((byte[])[0xFE, 0xFF]) || Repeats(head, width: 2, textByte: 1)) return "UTF-16 (big-endian)";
        return null;
    }

    /// <summary>The first units of <paramref name="width"/> bytes each hold one non-zero byte at <paramref name="textByte"/>, zeros elsewhere: ASCII in a wide encoding.</summary>
    private static bool Repeats(ReadOnlySpan<byte> head, int width, int textByte)
    {
        int units = Math.Min(head.Length / width, 8);
        if (units < 2) return false;
        for (int u = 0; u < units; u++)
            for (int b = 0; b < width; b++)
                if ((head[u * width + b] != 0) != (b == textByte)) return false;
        return true;
    }

    private static void RequireUtf8(string path, Stream stream)
    {
        var bytes = new byte[1 << 16];
        // A byte decodes to at most one UTF-16 unit, so the output never runs out of room.
        var chars = new char[bytes.Length];
        long offset = 0;
        int filled = 0, line = 1;
        while (true)
        {
            int read = stream.Read(bytes, filled, bytes.Length - filled);
            filled += read;
            bool final = read == 0;
            var status = System.Text.Unicode.Utf8.ToUtf16(bytes.AsSpan(0, filled), chars, out int decoded, out _, replaceInvalidSequences: false, isFinalBlock: final);
            line += bytes.AsSpan(0, decoded).Count((byte)'\n');
            if (status == System.Buffers.OperationStatus.InvalidData)
                throw new DatasetException($"{path}: line {line}: not UTF-8 (byte 0x{bytes[decoded]:X2} at offset {offset + decoded}); save the file as UTF-8");
            if (final) return;
            // A character split across two reads is decoded with the next one.
            bytes.AsSpan(decoded, filled - decoded).CopyTo(bytes);
            offset += decoded;
            filled -= decoded;
        }
    }

    public static List<CsvRow> Read(string path, IReadOnlyCollection<string> requiredColumns, long maxBytes = InputFiles.TaskCsvBytes, string what = "a task CSV")
    {
        if (Directory.Exists(path)) throw new DatasetException($"{path}: is a folder, not a CSV file");
        if (!System.IO.File.Exists(path)) throw new DatasetException($"{path}: file not found");
        RequireText(path, maxBytes, what);
        CsvMalformedRecord? unclosed = null;
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            TrackLineNumbers = true,
            // A quote never closed makes the rest of the file one field: every later complaint (a missing
            // column, a token mismatch) would be about the symptom. Stray quotes inside a field stay text.
            OnMalformedRecord = record => { if (record.Reason == CsvMalformedReason.UnterminatedQuote) unclosed ??= record; },
        };
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
        if (unclosed is { } openInHeader) throw UnclosedQuote(path, openInHeader, headers);
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
                if (unclosed is { } open) throw UnclosedQuote(path, open, headers);
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
        if (unclosed is { } openAtEnd) throw UnclosedQuote(path, openAtEnd, headers);
        if (rows.Count == 0) throw new DatasetException($"{path}: no data rows");
        return rows;
    }

    private static DatasetException UnclosedQuote(string path, CsvMalformedRecord record, string[] headers)
    {
        bool inHeader = record.RecordNumber <= 1;
        string where = inHeader ? "the header" : $"row {record.RecordNumber - 1}";
        // In the header the open field's name is the rest of the file: it is named by its place.
        string column = OpenField(record.RawRecord) is not int field ? ""
            : inHeader || field >= headers.Length ? $", field {field + 1}" : $", column '{headers[field]}'";
        return new DatasetException($"{path}: {where} (line {record.LineNumber}){column}: a quote is never closed, so the rest of the file would be one field; " +
                                    "close it, or write a quote inside a quoted field as \"\"");
    }

    /// <summary>The index of the field whose opening quote is never closed in <paramref name="raw"/>, or null when none is.</summary>
    private static int? OpenField(string raw)
    {
        int field = 0;
        bool quoted = false, atFieldStart = true;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (quoted)
            {
                if (c != '"') continue;
                if (i + 1 < raw.Length && raw[i + 1] == '"') i++;
                else quoted = false;
            }
            else if (c == ',') { field++; atFieldStart = true; }
            else
            {
                if (c == '"' && atFieldStart) quoted = true;
                atFieldStart = false;
            }
        }
        return quoted ? field : null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
