using System.CommandLine;
using System.CommandLine.Help;
using Concord.Cli;
using Concord.Tests.EndToEnd.Support;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust.Generated;

/// <summary>
/// Issue 30 (a): every subcommand × every option and argument × generated malformed values (empty,
/// whitespace, separators only, negative, zero, huge, NaN/∞, decimal comma, non-ASCII, folders, devices,
/// missing and wrong files), sometimes given twice, keeps the <see cref="ErrorContract"/>. Commands,
/// options and arguments come from the program's own tree (<see cref="CommandTree.Create"/>): an option
/// added later is tried without touching this file, and a subcommand added later fails
/// <see cref="EveryCommandHasAValidCommandLine"/> until it is given one. Each case starts from a valid
/// command line of its command (<see cref="ValidLine"/>), changes one option or argument, and runs the
/// program in this process. FsCheck draws the cases from a fixed seed per option; a failure prints the
/// seed and the command line.
/// </summary>
[TestFixture, NonParallelizable]
public class GeneratedOptionTests
{
    /// <summary>Cases per option or argument (so about 115 × this in all).</summary>
    private const int CasesPerTarget = 12;

    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A valid command line of one command: its arguments, its options, and the paths it would write.</summary>
    public sealed record ValidLine(string[] Arguments, (string Name, string? Value)[] Options, string[] Writes, int Code = 0);

    private static string Tiny => TestModels.TinyFolder;

    /// <summary>The one hand-written part: for each command, a small valid command line in a case folder.</summary>
    private static ValidLine? Valid(string command, string folder)
    {
        string output = Path.Combine(folder, "out");
        switch (command)
        {
            case "run":
                return new([], [("--model", Tiny), ("--task", "capital-country"), ("--examples", "2"), ("--steps", "4"), ("--sweep", "none"), ("--verify", "none"),
                    ("--components", "heads"), ("--methods", "ig,ap"), ("--batch-size", "2"), ("--out", output)], [output]);
            case "diff":
                string scores = Path.Combine(folder, "scores.csv");
                File.WriteAllText(scores, "prompt,layer,kind,index,position,method,score\n0,0,head,1,,ig,0.5\n");
                return new([scores, scores], [], []);
            case "predict":
                return new([], [("--model", Tiny), ("--prompt", "hi"), ("--top", "3")], []);
            case "datasets generate":
                return new([], [("--task", "capital-country"), ("--out", output)], [output]);
            case "datasets validate":
            case "datasets stats":
                return new([], [("--task", "capital-country")], []);
            case "datasets filter-hypernymy":
                string filtered = Path.Combine(folder, "filtered.csv");
                return new([], [("--model", Tiny), ("--out", filtered)], [filtered]);
            case "model info":
                return new([Tiny], [], []);
            case "model download":
                // Nothing listens on port 1: the valid line fails to connect (exit 1) at once, and no case reaches a network.
                string cache = Path.Combine(folder, "cache");
                return new(["gpt2"], [("--cache", cache), ("--endpoint", "http://127.0.0.1:1")], [cache], Code: 1);
            case "model create-random":
                return new([], [("--out", output), ("--preset", "tiny"), ("--vocab", "512"), ("--positions", "32")], [output]);
            case "model train":
                return new([], [("--out", output), ("--preset", "tiny"), ("--steps", "1"), ("--float32", null), ("--eval-examples", "2")], [output]);
            case "model eval":
                return new([], [("--model", Tiny), ("--task", "capital-country"), ("--examples", "4")], []);
            default:
                return null;
        }
    }

    /// <summary>An option or argument of a command, found in the tree.</summary>
    public sealed record Target(string Command, string Name, int ArgumentIndex, bool IsFlag)
    {
        public bool IsArgument => ArgumentIndex >= 0;
        public override string ToString() => $"{Command} {Name}";
    }

    private static IEnumerable<(string Path, Command Command, Option[] Inherited)> Commands(Command command, string path, Option[] inherited)
    {
        var here = inherited.Concat(command.Options.Where(o => o.Recursive)).ToArray();
        if (command.Subcommands.Count == 0) yield return (path, command, inherited);
        foreach (var sub in command.Subcommands)
            foreach (var found in Commands(sub, (path + " " + sub.Name).Trim(), here))
                yield return found;
    }

    private static IEnumerable<(string Path, Command Command, Option[] Inherited)> Leaves() => Commands(CommandTree.Create(), "", []);

    public static IEnumerable<Target> Targets() =>
        from leaf in Leaves()
        from target in leaf.Command.Arguments.Select((a, i) => new Target(leaf.Path, a.Name, i, false))
            .Concat(leaf.Command.Options.Concat(leaf.Inherited).Distinct()
                .Where(o => o is not HelpOption and not VersionOption)
                .Select(o => new Target(leaf.Path, o.Name, -1, o.ValueType == typeof(bool))))
        select target;

    private static IEnumerable<TestCaseData> TargetCases() => Targets().Select(t => new TestCaseData(t).SetName($"{t}"));

    private static readonly Dictionary<string, int> ValidCodes = [];

    /// <summary>The command line of <paramref name="line"/> with <paramref name="target"/> set to <paramref name="value"/> (given twice when <paramref name="twice"/>).</summary>
    private static string[] CommandLine(Target target, ValidLine line, string value, bool twice)
    {
        var args = new List<string>(target.Command.Split(' '));
        var positional = line.Arguments.ToList();
        if (target.IsArgument)
        {
            positional[target.ArgumentIndex] = value;
            if (twice) positional.Insert(target.ArgumentIndex, value);
        }
        args.AddRange(positional);
        foreach (var (name, given) in line.Options)
        {
            // Given twice: the valid value stays and the generated one follows; else it is replaced.
            if (name == target.Name && !twice) continue;
            args.Add(name);
            if (given is not null) args.Add(given);
        }
        if (!target.IsArgument)
        {
            int times = twice && !line.Options.Any(o => o.Name == target.Name) ? 2 : 1;
            for (int i = 0; i < times; i++) args.AddRange([target.Name, value]);
        }
        return args.ToArray();
    }

    private static int ValidCode(string command)
    {
        lock (ValidCodes)
        {
            if (ValidCodes.TryGetValue(command, out int code)) return code;
            var folder = TempFolder.New("valid");
            var line = Valid(command, folder)!;
            var args = command.Split(' ').Concat(line.Arguments).Concat(line.Options.SelectMany(o => o.Value is null ? new[] { o.Name } : new[] { o.Name, o.Value })).ToArray();
            var result = InProcessConcord.Run(args, folder, TimeSpan.FromMinutes(2));
            Assert.That(result.Code, Is.EqualTo(line.Code), $"the valid line {ErrorContract.Shown(args)} exits {result.Code}: {result.Error}");
            return ValidCodes[command] = result.Code;
        }
    }

    [Test]
    public void EveryCommandHasAValidCommandLine()
    {
        foreach (var (path, _, _) in Leaves())
        {
            Assert.That(Valid(path, TempFolder.New()), Is.Not.Null, $"`concord {path}` is new: give it a valid command line in {nameof(GeneratedOptionTests)}.{nameof(Valid)}");
            ValidCode(path);
        }
    }

    [Test]
    public void TheTreeHasTheCommandsAndOptionsTheReadmeLists()
    {
        var found = Targets().Select(t => t.ToString()).ToList();
        Assert.That(found, Is.SupersetOf(new[]
        {
            "run --task", "run --out", "run --data", "run --shard", "run --verbose", "diff old", "diff new", "model info model", "model download name", "model download --endpoint",
            "model create-random --layers", "model train --head-dropout", "model eval --data", "predict --prompt", "datasets validate --dir", "datasets filter-hypernymy --threshold",
        }));
        Assert.That(found, Has.Count.GreaterThan(100));
    }

    private static IEnumerable<TestCaseData> FlagCases() => Targets().Where(t => t.IsFlag && t.Name != CliRunner.Verbose.Name).Select(t => new TestCaseData(t).SetName($"{t} on its valid line"));

    /// <summary>
    /// Every flag added to its command's valid line, whose output paths do not exist yet: it runs as the
    /// valid line does, or is refused by the contract without creating them (`run --merge --out` a
    /// folder that does not exist, issue 30's case, is one of these).
    /// </summary>
    [TestCaseSource(nameof(FlagCases))]
    public void AFlagOnAValidLineKeepsTheErrorContract(Target flag)
    {
        int validCode = ValidCode(flag.Command);
        var folder = TempFolder.New("flag");
        var cwd = Directory.CreateDirectory(Path.Combine(folder, "cwd")).FullName;
        var line = Valid(flag.Command, folder)!;
        var args = flag.Command.Split(' ').Concat(line.Arguments).Concat(line.Options.SelectMany(o => o.Value is null ? new[] { o.Name } : new[] { o.Name, o.Value }))
            .Append(flag.Name).ToArray();
        var result = InProcessConcord.Run(args, cwd, CaseTimeout);
        var untouched = result.Code is CliRunner.UsageError or CliRunner.InputError ? line.Writes : [];
        if (ErrorContract.Violation(result, validCode, [flag.Name, .. line.Writes], untouched) is { } violation)
            throw new AssertionException($"{violation}\n  {ErrorContract.Shown(args)}\n  exit {result.Code}, stderr: {result.Error.Trim()}");
    }

    [TestCaseSource(nameof(TargetCases))]
    public void AMalformedValueKeepsTheErrorContract(Target target)
    {
        int validCode = ValidCode(target.Command);
        var (config, seed) = MalformedValues.Seeded(target.ToString(), CasesPerTarget);
        var cases = MalformedValues.Any.SelectMany(v => Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true))).Select(twice => (v.Kind, v.Value, Twice: twice)));
        Check.One(config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var folder = TempFolder.New("case");
            var cwd = Directory.CreateDirectory(Path.Combine(folder, "cwd")).FullName;
            var line = Valid(target.Command, folder)!;
            string value = MalformedValues.Resolve(c.Value, folder);
            var args = CommandLine(target, line, value, c.Twice);
            var result = InProcessConcord.Run(args, cwd, CaseTimeout);
            // The option, or the value as given (a path, a word the parser did not expect).
            var names = new List<string>
            {
                target.IsArgument ? $"<{target.Name}>" : target.Name, $"'{value}'", $"'{StrictNumbers.Shown(value)}'", CliRunner.OneLine($"'{value}'"),
                // A path's messages start with the path as given: "error: .: is a folder, not a CSV file".
                $"error: {CliRunner.OneLine(value)}: ",
            };
            if (value.Trim().Length >= 2) names.Add(value.Trim());
            // An argument given twice pushes the last one out: the parser names that one.
            if (target.IsArgument && c.Twice) names.AddRange(line.Arguments.Select(a => $"'{a}'"));
            // What the valid line would write is never created by a refused case, whether or not the case still names it.
            var untouched = line.Writes.ToList();
            if (c.Value == MalformedValues.Missing && target.Name is "--out" or "--cache") untouched.Add(value);
            // --verbose is there to add the stack trace to a failure: given twice on a line that fails anyway, it may.
            bool verboseByDesign = target.Name == CliRunner.Verbose.Name && result.Code == validCode;
            if (!verboseByDesign && ErrorContract.Violation(result, validCode, names, untouched) is { } violation)
                throw new AssertionException($"{violation}\n  {c.Kind}{(c.Twice ? ", given twice" : "")}, seed {seed}\n  {ErrorContract.Shown(args)}\n  exit {result.Code}, stderr: {result.Error.Trim()}");
            if (result.TimedOut) TestContext.Progress.WriteLine($"accepted and still running after {CaseTimeout.TotalSeconds} s: {ErrorContract.Shown(args)}");
            return true;
        }));
    }
}
