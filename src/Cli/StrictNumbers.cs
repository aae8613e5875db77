using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Concord.Cli;

/// <summary>
/// How every number on the command line is read. System.CommandLine's own parser takes a comma as a
/// thousands separator (<c>--top 0,1</c> was 1, so a run used 100 % where 10 % was meant and exited
/// 0): here a value is one invariant spelling or it is refused with the option, the text and what
/// was understood. Whole numbers are digits with an optional sign; other numbers add a decimal point
/// and an exponent (<c>0.1</c>, <c>1e-3</c>, <c>-2</c>, <c>+5</c>). Commas, spaces, hex, non-ASCII
/// digits, NaN and infinities are refused: no option of Concord means anything by them, and a
/// range check after parsing would name them less clearly.
/// </summary>
public static partial class StrictNumbers
{
    /// <summary>The value types read strictly; an option of another numeric type would bypass the rules, so <see cref="Enforce{T}"/> refuses it.</summary>
    public static readonly IReadOnlyList<Type> NumericTypes = [typeof(int), typeof(int?), typeof(long), typeof(long?), typeof(double), typeof(double?)];

    /// <summary>
    /// Makes every numeric option and argument of <paramref name="command"/> and its subcommands read
    /// its value strictly. Applied to the whole tree rather than option by option, so an option added
    /// later cannot be forgotten.
    /// </summary>
    public static T Enforce<T>(T command) where T : Command
    {
        foreach (var symbol in command.Options.Cast<Symbol>().Concat(command.Arguments)) Attach(symbol);
        foreach (var subcommand in command.Subcommands) Enforce(subcommand);
        return command;
    }

    private static void Attach(Symbol symbol)
    {
        string name = symbol is Argument ? $"<{symbol.Name}>" : symbol.Name;
        switch (symbol)
        {
            case Option<int> o: o.CustomParser = r => Read<int>(r, name, TryParseWhole); break;
            case Option<int?> o: o.CustomParser = r => Read<int>(r, name, TryParseWhole); break;
            case Option<long> o: o.CustomParser = r => Read<long>(r, name, TryParseLong); break;
            case Option<long?> o: o.CustomParser = r => Read<long>(r, name, TryParseLong); break;
            case Option<double> o: o.CustomParser = r => Read<double>(r, name, TryParseReal); break;
            case Option<double?> o: o.CustomParser = r => Read<double>(r, name, TryParseReal); break;
            case Argument<int> a: a.CustomParser = r => Read<int>(r, name, TryParseWhole); break;
            case Argument<int?> a: a.CustomParser = r => Read<int>(r, name, TryParseWhole); break;
            case Argument<long> a: a.CustomParser = r => Read<long>(r, name, TryParseLong); break;
            case Argument<long?> a: a.CustomParser = r => Read<long>(r, name, TryParseLong); break;
            case Argument<double> a: a.CustomParser = r => Read<double>(r, name, TryParseReal); break;
            case Argument<double?> a: a.CustomParser = r => Read<double>(r, name, TryParseReal); break;
            case Option o when IsUnsupportedNumber(o.ValueType):
                throw new InvalidOperationException($"{o.Name} is a {o.ValueType.Name}; StrictNumbers reads only {string.Join(", ", NumericTypes.Select(t => t.Name))}");
            case Argument a when IsUnsupportedNumber(a.ValueType):
                throw new InvalidOperationException($"<{a.Name}> is a {a.ValueType.Name}; StrictNumbers reads only {string.Join(", ", NumericTypes.Select(t => t.Name))}");
        }
    }

    private static bool IsUnsupportedNumber(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return !NumericTypes.Contains(t) && (t.IsPrimitive && t != typeof(bool) && t != typeof(char) || t == typeof(decimal));
    }

    private delegate bool TryParse<T>(string text, out T value, out string problem);

    private static T Read<T>(ArgumentResult result, string name, TryParse<T> parse)
    {
        if (result.Tokens.Count != 1)
        {
            result.AddError($"{name} takes one number, given {result.Tokens.Count} ({string.Join(", ", result.Tokens.Select(t => $"'{t.Value}'"))})");
            return default!;
        }
        string text = result.Tokens[0].Value;
        if (parse(text, out T value, out string problem)) return value;
        result.AddError(Message(name, text, problem));
        return default!;
    }

    /// <summary>The one line a refused number gets: <c>--top '0,1': a comma is not a decimal point here; write 0.1</c>.</summary>
    public static string Message(string name, string text, string problem) => $"{name} '{Shown(text)}': {problem}";

    /// <summary>The text as typed, with control characters escaped so that a newline in a value cannot break the one line.</summary>
    public static string Shown(string text) =>
        string.Concat(text.Select(c => c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ when char.IsControl(c) => $"\\u{(int)c:x4}", _ => c.ToString() }));

    /// <summary>A whole number: ASCII digits with an optional sign, nothing else.</summary>
    public static bool TryParseWhole(string text, out int value, out string problem)
    {
        value = 0;
        if (!TryParseLong(text, out long wide, out problem)) return false;
        if (wide is < int.MinValue or > int.MaxValue)
        {
            problem = $"is out of range (a whole number from {int.MinValue} to {int.MaxValue})";
            return false;
        }
        value = (int)wide;
        return true;
    }

    /// <inheritdoc cref="TryParseWhole"/>
    public static bool TryParseLong(string text, out long value, out string problem)
    {
        value = 0;
        problem = "";
        if (WholePattern().IsMatch(text))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)) return true;
            problem = $"is out of range (a whole number from {long.MinValue} to {long.MaxValue})";
            return false;
        }
        problem = CommonProblem(text, wholeOnly: true) ?? (RealPattern().IsMatch(text)
            ? "expects a whole number (digits with an optional sign, such as 8), not a fraction or an exponent"
            : "expects a whole number (digits 0-9 with an optional sign, such as 8)");
        return false;
    }

    /// <summary>A finite number in invariant spelling: <c>0.1</c>, <c>-2</c>, <c>1e-3</c>, <c>.5</c>.</summary>
    public static bool TryParseReal(string text, out double value, out string problem)
    {
        value = 0;
        problem = "";
        if (RealPattern().IsMatch(text))
        {
            value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsFinite(value)) return true;
            problem = "is too large (beyond ±1.8e308, read as infinity); a finite number is expected";
            return false;
        }
        problem = CommonProblem(text, wholeOnly: false)
            ?? (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double special) && !double.IsFinite(special)
                ? $"expects a finite number, not {(double.IsNaN(special) ? "NaN" : "an infinity")}"
                : "expects a number such as 0.1, -2 or 1e-3 (digits 0-9, a decimal point, an optional exponent)");
        return false;
    }

    /// <summary>What a malformed spelling most likely meant, said in its own terms; null when it is just not a number.</summary>
    private static string? CommonProblem(string text, bool wholeOnly)
    {
        string expected = wholeOnly ? "a whole number" : "a number";
        if (text.Trim().Length == 0) return $"expects {expected}, got {(text.Length == 0 ? "an empty value" : "only spaces")}";
        if (text.Trim() != text && (wholeOnly ? WholePattern() : RealPattern()).IsMatch(text.Trim()))
            return $"has spaces around the number; write {text.Trim()}";
        if (text.Trim().Any(char.IsWhiteSpace)) return $"holds a space; give one {(wholeOnly ? "whole number" : "number")} with nothing around it";
        if (text.Contains('∞')) return $"expects a finite {(wholeOnly ? "whole number" : "number")}, not an infinity";
        if (text.Any(c => char.IsDigit(c) && c is < '0' or > '9')) return $"has digits other than 0-9; write {expected} in ASCII digits";
        if (!text.Contains(',')) return null;
        string grouped = text.Replace(",", "");
        bool thousands = ThousandsPattern().IsMatch(text);
        string decimalPoint = text.Replace(',', '.');
        bool asDecimal = !wholeOnly && text.Count(c => c == ',') == 1 && RealPattern().IsMatch(decimalPoint);
        return (thousands, asDecimal) switch
        {
            (true, true) => $"a comma is neither a decimal point nor a thousands separator here; write {decimalPoint} or {grouped}",
            (true, false) => $"thousands separators are not read; write {grouped}",
            (false, true) => $"a comma is not a decimal point here; write {decimalPoint}",
            _ => $"expects {expected}; a comma is neither a decimal point nor a separator here",
        };
    }

    [GeneratedRegex(@"^[+-]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex WholePattern();

    [GeneratedRegex(@"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex RealPattern();

    [GeneratedRegex(@"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ThousandsPattern();
}
