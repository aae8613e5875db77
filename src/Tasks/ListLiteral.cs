using System.Globalization;
using System.Text;

namespace Concord.Tasks;

/// <summary>Python list literals as the original datasets store them: "[16840, 23685]" and "['gem', 'gems']".</summary>
public static class ListLiteral
{
    public static int[] ParseInts(string text)
    {
        var inner = Brackets(text);
        if (inner.Trim().Length == 0) return [];
        // Spaces after the commas are Python's own spelling; inside an item they are not.
        return inner.Split(',').Select(part => part.Trim()).Select(part =>
            WholeNumber.IsMatch(part) && int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
                ? v : throw new FormatException($"'{part}' in {text} is not an integer")).ToArray();
    }

    private static readonly System.Text.RegularExpressions.Regex WholeNumber = new(@"^[+-]?[0-9]+\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static string[] ParseStrings(string text)
    {
        var inner = Brackets(text);
        var items = new List<string>();
        int i = 0;
        while (i < inner.Length)
        {
            while (i < inner.Length && (inner[i] == ' ' || inner[i] == ',')) i++;
            if (i >= inner.Length) break;
            char quote = inner[i];
            if (quote != '\'' && quote != '"') throw new FormatException($"expected a quoted string at '{inner[i..]}' in {text}");
            var item = new StringBuilder();
            for (i++; i < inner.Length && inner[i] != quote; i++)
            {
                if (inner[i] == '\\' && i + 1 < inner.Length) i++;
                item.Append(inner[i]);
            }
            if (i >= inner.Length) throw new FormatException($"unterminated string in {text}");
            i++;
            items.Add(item.ToString());
        }
        return items.ToArray();
    }

    public static string FormatInts(IEnumerable<int> values) => "[" + string.Join(", ", values) + "]";

    public static string FormatStrings(IEnumerable<string> values) =>
        "[" + string.Join(", ", values.Select(v => "'" + v.Replace("\\", "\\\\").Replace("'", "\\'") + "'")) + "]";

    private static string Brackets(string text)
    {
        var t = text.Trim();
        if (t.Length < 2 || t[0] != '[' || t[^1] != ']') throw new FormatException($"'{text}' is not a list literal like [1, 2]");
        return t[1..^1];
    }
}
