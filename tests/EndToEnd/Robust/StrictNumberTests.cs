using System.CommandLine;
using System.Globalization;
using Concord.Cli;
using Concord.Tests.EndToEnd.Run;
using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// Every numeric option of every subcommand × every malformed spelling: refused at parse time in
/// one line that names the option and the text (a decimal comma was once read as a thousands
/// separator, and a run used 100 % where 10 % was meant). The options are found by walking the
/// program's own command tree, so an option added later is covered without touching this file.
/// </summary>
[TestFixture]
public class StrictNumberTests
{
    /// <summary>Spellings no numeric option may accept: commas, spaces, junk, other digit systems, non-finite values, nothing.</summary>
    private static readonly string[] Malformed =
    [
        "0,1", "1,5", "1,000", "1,000,000", "1,000.5", "0.1x", "0.1 2", " 1", "1 ", "1\n", "NaN", "nan", "Infinity", "-Infinity", "∞", "-∞",
        "", " ", "١", "１", "0x10", "1_000", "1e400", "1.2.3", "+-1", "1e", "e3", ".", "½", "1\t",
    ];

    /// <summary>Spellings a whole-number option refuses that a real-valued one reads.</summary>
    private static readonly string[] NotWhole = ["2.5", "1e3", "8.0", "99999999999"];

    private static readonly (string Text, double Value)[] WellFormedReals = [("0.1", 0.1), ("1e-3", 1e-3), ("-2", -2), ("+.5", 0.5), ("5.", 5), ("2E+2", 200), ("007", 7)];
    private static readonly (string Text, int Value)[] WellFormedWholes = [("8", 8), ("+8", 8), ("-2", -2), ("007", 7), ("2147483647", int.MaxValue)];

    private sealed record NumericOption(string[] CommandPath, string[] Prerequisites, Option Option)
    {
        public bool IsWhole => (Nullable.GetUnderlyingType(Option.ValueType) ?? Option.ValueType) is var t && (t == typeof(int) || t == typeof(long));
        public override string ToString() => $"{string.Join(' ', CommandPath)} {Option.Name}";
    }

    /// <summary>Every option whose value is a number, with the arguments and required options its command needs to get as far as parsing it.</summary>
    private static IEnumerable<NumericOption> NumericOptions()
    {
        IEnumerable<NumericOption> Walk(Command command, string[] path)
        {
            // Required strings are given a placeholder so that the only parse error left is the number's.
            string[] prerequisites = [.. command.Arguments.Select(_ => "x"), .. command.Options.Where(o => o.Required).SelectMany(o => new[] { o.Name, "x" })];
            foreach (var option in command.Options.Where(o => IsNumber(o.ValueType)))
                yield return new NumericOption(path, prerequisites, option);
            foreach (var sub in command.Subcommands)
                foreach (var found in Walk(sub, [.. path, sub.Name]))
                    yield return found;
        }
        return Walk(CommandTree.Create(), []);
    }

    private static bool IsNumber(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) is var t && (t.IsPrimitive && t != typeof(bool) && t != typeof(char) || t == typeof(decimal));

    /// <summary>A fresh tree for each parse, as the program has: commands may declare their options per instance.</summary>
    private static ParseResult Parse(NumericOption target, string value) =>
        CommandTree.Create().Parse([.. target.CommandPath, .. target.Prerequisites, target.Option.Name, value]);

    private static IEnumerable<TestCaseData> MalformedCases() =>
        from target in NumericOptions()
        from value in target.IsWhole ? Malformed.Concat(NotWhole) : Malformed
        select new TestCaseData(target, value).SetName($"{target} '{StrictNumbers.Shown(value)}'");

    [TestCaseSource(nameof(MalformedCases))]
    public void AMalformedNumberIsRefusedInOneLineNamingTheOptionAndTheText(object target, string value)
    {
        var option = (NumericOption)target;
        var parse = Parse(option, value);
        Assert.That(parse.Errors.Select(e => e.Message), Has.Exactly(1).Items, "the number is the only problem, and it is one");
        // A non-null problem is what makes the program print it and exit CliRunner.UsageError.
        var problem = CliRunner.UsageProblem(parse);
        Assert.That(problem, Does.StartWith($"{option.Option.Name} '{StrictNumbers.Shown(value)}': "), problem);
        Assert.That(problem, Does.Not.Contain("\n").And.Not.Contain("\r"), "one line, whatever the value held");
    }

    private static IEnumerable<TestCaseData> WellFormedCases() =>
        from target in NumericOptions()
        from spelling in target.IsWhole ? WellFormedWholes.Select(w => (w.Text, (double)w.Value)) : WellFormedReals
        select new TestCaseData(target, spelling.Item1, spelling.Item2).SetName($"{target} '{spelling.Item1}'");

    [TestCaseSource(nameof(WellFormedCases))]
    public void AnInvariantSpellingIsReadAsWritten(object target, string text, double expected)
    {
        var option = (NumericOption)target;
        var parse = Parse(option, text);
        Assert.That(parse.Errors, Is.Empty, string.Join("; ", parse.Errors.Select(e => e.Message)));
        Assert.That(Convert.ToDouble(ValueOf(parse, parse.CommandResult.Command.Options.Single(o => o.Name == option.Option.Name)), CultureInfo.InvariantCulture), Is.EqualTo(expected));
    }

    /// <summary>parse.GetValue(Option&lt;T&gt;) for an option whose T is known only at run time.</summary>
    private static object? ValueOf(ParseResult parse, Option option) =>
        typeof(ParseResult).GetMethods()
            .Single(m => m.Name == nameof(ParseResult.GetValue) && m.IsGenericMethodDefinition && m.GetParameters()[0].ParameterType.IsGenericType
                         && m.GetParameters()[0].ParameterType.GetGenericTypeDefinition() == typeof(Option<>))
            .MakeGenericMethod(option.ValueType).Invoke(parse, [option]);

    [Test]
    public void TheWalkFindsTheOptionsOfEveryCommand()
    {
        var found = NumericOptions().Select(o => o.ToString()).ToList();
        Assert.That(found, Is.SupersetOf(new[]
        {
            "run --top", "run --ig-tolerance", "run --split-ig", "run --examples", "run --seed", "predict --top", "diff --tolerance", "diff --limit",
            "datasets generate --seed", "datasets filter-hypernymy --threshold", "model create-random --std", "model create-random --layers",
            "model train --minutes", "model train --threads", "model train --head-dropout", "model eval --examples",
        }));
    }

    /// <summary>
    /// No text a locale writes for a number is read as another number: each is either refused or
    /// read as exactly the value it was written from (a comma is never a thousands separator). The
    /// one exception is by design: a point is always the decimal point, so a German "1.000" (a
    /// thousand) is the invariant 1.000 (one), as the README says.
    /// </summary>
    [Test]
    public void NoLocalesSpellingIsMisread()
    {
        string[] cultures = ["", "en-US", "de-DE", "fr-FR", "de-CH", "hi-IN", "ar-SA", "fa-IR", "ru-RU", "pt-BR"];
        string[] formats = ["R", "G", "N0", "N2", "F1", "E3", "#,0.###"];
        var random = new Random(31);
        var values = Enumerable.Range(0, 400).Select(i => i % 4 switch
        {
            0 => Math.Round(random.NextDouble(), 3),
            1 => random.Next(-5_000_000, 5_000_000),
            2 => Math.Round((random.NextDouble() - 0.5) * 20_000, 2),
            _ => random.NextDouble() * Math.Pow(10, random.Next(-8, 9)),
        }).Concat([0.1, 0.5, 1000, 1234.5, 1e-3, 1e6]);
        foreach (var value in values)
            foreach (var culture in cultures.Select(CultureInfo.GetCultureInfo))
                foreach (var format in formats)
                {
                    string text = value.ToString(format, culture);
                    if (culture.NumberFormat.NumberGroupSeparator == "." && text.Contains('.')) continue;
                    double meant = double.Parse(value.ToString(format, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                    if (StrictNumbers.TryParseReal(text, out double read, out _))
                        Assert.That(read, Is.EqualTo(meant), $"{value} as {format} in {culture.Name}: '{text}'");
                    if (Math.Abs(meant) <= int.MaxValue && meant == Math.Floor(meant) && StrictNumbers.TryParseWhole(text, out int whole, out _))
                        Assert.That(whole, Is.EqualTo(meant), $"{value} as {format} in {culture.Name}: '{text}' as a whole number");
                }
    }

    [Test]
    public void InvariantRoundTripsAreAlwaysRead()
    {
        var random = new Random(32);
        for (int i = 0; i < 2000; i++)
        {
            double value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (!double.IsFinite(value)) continue;
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            Assert.That(StrictNumbers.TryParseReal(text, out double read, out string problem), Is.True, $"{text}: {problem}");
            Assert.That(read, Is.EqualTo(value), text);
        }
    }

    [TestCase("0.1,0.25", new[] { 0.1, 0.25 })]
    [TestCase("0.1, 0.25 ,1", new[] { 0.1, 0.25, 1 })]
    [TestCase("1e-1,5E-1", new[] { 0.1, 0.5 })]
    public void SweepListsKeepTheirCommas(string sweep, double[] scales) =>
        Assert.That(RunTests.Settings("--model", TestModels.TinyFolder, "--task", "ioi", "--sweep", sweep).Study.Pipeline.SweepScales, Is.EqualTo(scales));

    [TestCase("0.1,0.2x", "--sweep scale '0.2x': expects a number")]
    [TestCase("0.1,NaN", "--sweep scale 'NaN': expects a finite number, not NaN")]
    [TestCase("0.1,٠.٥", "--sweep scale '٠.٥': has digits other than 0-9")]
    [TestCase("0,5", "--sweep scale '0' is not a number in (0, 1]")]
    public void EachSweepScaleIsReadStrictly(string sweep, string fragment) =>
        Assert.That(() => RunTests.Settings("--model", TestModels.TinyFolder, "--task", "ioi", "--sweep", sweep),
            Throws.ArgumentException.With.Message.Contains(fragment));

    [TestCase("1,000", "--steps '1,000': thousands separators are not read; write 1000, or auto")]
    [TestCase("16.0", "--steps '16.0': expects a whole number")]
    public void StepsIsReadStrictly(string steps, string fragment) =>
        Assert.That(() => RunTests.Settings("--model", TestModels.TinyFolder, "--task", "ioi", "--steps", steps, "--rule", "trapezoid"),
            Throws.ArgumentException.With.Message.Contains(fragment));

    /// <summary>Through the real program: exit 2 and the one line, for a few options of different commands and kinds.</summary>
    [Test]
    public void TheProgramRefusesInOneLineWithExit2()
    {
        var file = Path.Combine(TempFolder.New(), "scores.csv");
        File.WriteAllText(file, "prompt,layer,kind,index,position,method,score\n0,0,head,1,,ig,0.5\n");
        ConcordProcess.AssertOneLineError(["run", "--top", "0,1"], 2, "--top '0,1': a comma is not a decimal point here; write 0.1");
        ConcordProcess.AssertOneLineError(["predict", "--model", TestModels.TinyFolder, "--prompt", "hi", "--top", "1,000"], 2, "--top '1,000': thousands separators are not read; write 1000");
        ConcordProcess.AssertOneLineError(["diff", file, file, "--tolerance", "0,5"], 2, "--tolerance '0,5': a comma is not a decimal point here; write 0.5");
        ConcordProcess.AssertOneLineError(["model", "create-random", "--out", Path.Combine(TempFolder.New(), "m"), "--std", "∞"], 2, "--std '∞': expects a finite number");
    }
}
