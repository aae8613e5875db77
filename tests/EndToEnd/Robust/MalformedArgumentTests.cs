using Concord.Tests.EndToEnd.Support;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust;

/// <summary>
/// Every subcommand given a malformed argument of each kind (an unknown option, a value of the wrong
/// type, a missing value, a missing required argument, a value out of range, a path that is not
/// there): one line on stderr, no .NET type name, no stack trace, the README's exit code (2 bad
/// usage, 3 bad input file).
/// </summary>
[TestFixture]
public class MalformedArgumentTests
{
    private const int Usage = 2, Input = 3;
    private const string Nowhere = "/nonexistent/concord";

    private static string Model => TestModels.TinyFolder;

    private static string NewOut() => Path.Combine(TempFolder.New(), "out");

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(int code, string kind, params string[] args) => new TestCaseData(code, args).SetName($"{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-') && !a.StartsWith('/')))}: {kind}");
        // concord itself
        yield return Case(Usage, "unknown command", "nonsense");
        yield return Case(Usage, "unknown option", "--bogus");
        // run
        yield return Case(Usage, "unknown option", "run", "--bogus");
        yield return Case(Usage, "wrong type", "run", "--examples", "x");
        yield return Case(Usage, "missing value", "run", "--out");
        yield return Case(Usage, "out of range", "run", "--examples", "-5");
        yield return Case(Usage, "flag given a value", "run", "--float64", "x");
        yield return Case(Input, "missing file", "run", "--model", Model, "--task", "ioi", "--data", Nowhere + ".csv");
        yield return Case(Input, "missing model", "run", "--model", Nowhere);
        yield return Case(Usage, "no task in the list", "run", "--model", Model, "--task", ",,", "--out", NewOut());
        // diff
        yield return Case(Usage, "missing argument", "diff", "a");
        yield return Case(Usage, "wrong type", "diff", "a", "b", "--tolerance", "x");
        yield return Case(Usage, "out of range", "diff", "a", "b", "--limit", "-1");
        yield return Case(Input, "missing file", "diff", Nowhere, Nowhere);
        // datasets
        yield return Case(Usage, "missing subcommand", "datasets");
        yield return Case(Usage, "wrong type", "datasets", "generate", "--seed", "x");
        yield return Case(Usage, "unknown task", "datasets", "generate", "--task", "nope");
        yield return Case(Usage, "no task in the list", "datasets", "generate", "--task", ",,", "--out", NewOut());
        yield return Case(Input, "missing folder", "datasets", "generate", "--task", "ioi", "--words", Nowhere, "--out", NewOut());
        yield return Case(Usage, "a file as --out", "datasets", "generate", "--task", "ioi", "--out", "/etc/hostname");
        yield return Case(Input, "missing file", "datasets", "validate", "--file", Nowhere + ".csv");
        yield return Case(Usage, "unknown task", "datasets", "validate", "--task", "nope");
        yield return Case(Usage, "no task in the list", "datasets", "validate", "--task", ",,");
        yield return Case(Usage, "no task in the list, with a file", "datasets", "validate", "--task", ",,", "--file", "/etc/hostname");
        yield return Case(Usage, "no task in the list", "datasets", "stats", "--task", " ");
        yield return Case(Input, "missing folder", "datasets", "stats", "--dir", Nowhere);
        yield return Case(Input, "missing file", "datasets", "stats", "--task", "sva", "--verbs", Nowhere + ".csv");
        yield return Case(Usage, "missing required option", "datasets", "filter-hypernymy");
        yield return Case(Usage, "wrong type", "datasets", "filter-hypernymy", "--model", Model, "--out", NewOut(), "--threshold", "x");
        yield return Case(Usage, "out of range", "datasets", "filter-hypernymy", "--model", Model, "--out", NewOut(), "--threshold", "NaN");
        yield return Case(Input, "missing model", "datasets", "filter-hypernymy", "--model", Nowhere, "--out", NewOut());
        // model
        yield return Case(Usage, "missing subcommand", "model");
        yield return Case(Usage, "missing argument", "model", "info");
        yield return Case(Input, "missing model", "model", "info", Nowhere);
        yield return Case(Usage, "missing argument", "model", "download");
        yield return Case(Input, "unknown model", "model", "download", "gpt5", "--cache", NewOut());
        yield return Case(Usage, "missing required option", "model", "create-random");
        yield return Case(Usage, "wrong type", "model", "create-random", "--out", NewOut(), "--layers", "x");
        yield return Case(Usage, "out of range", "model", "create-random", "--out", NewOut(), "--heads", "0");
        yield return Case(Usage, "unknown preset", "model", "create-random", "--out", NewOut(), "--preset", "huge");
        yield return Case(Usage, "missing required option", "model", "train");
        yield return Case(Usage, "wrong type", "model", "train", "--out", NewOut(), "--steps", "x");
        yield return Case(Usage, "out of range", "model", "train", "--out", NewOut(), "--preset", "tiny", "--head-dropout", "2");
        yield return Case(Usage, "unknown preset", "model", "train", "--out", NewOut(), "--preset", "gpt5");
        yield return Case(Usage, "missing required option", "model", "eval");
        yield return Case(Input, "missing model", "model", "eval", "--model", Nowhere);
        yield return Case(Usage, "no task in the list", "model", "eval", "--model", Model, "--task", ",");
        yield return Case(Usage, "out of range", "model", "eval", "--model", Model, "--examples", "0");
        yield return Case(Input, "missing file", "model", "eval", "--model", Model, "--task", "ioi", "--data", Nowhere + ".csv");
        // predict
        yield return Case(Usage, "missing required option", "predict", "--model", Model);
        yield return Case(Usage, "wrong type", "predict", "--model", Model, "--prompt", "hi", "--top", "x");
        yield return Case(Usage, "out of range", "predict", "--model", Model, "--prompt", "hi", "--top", "0");
        yield return Case(Usage, "malformed device", "predict", "--model", Model, "--prompt", "hi", "--device", "cuda:-1");
        yield return Case(Input, "missing model", "predict", "--model", Nowhere, "--prompt", "hi");
    }

    [TestCaseSource(nameof(Cases))]
    public void OneLineNoTypeNamesNoStackTraceTheDocumentedExitCode(int code, string[] args)
    {
        var (exit, _, error) = ConcordProcess.Run(args);
        Assert.That(exit, Is.EqualTo(code), error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), error);
        Assert.That(lines[0], Does.StartWith("error: "));
        Assert.That(lines[0], Does.Not.Contain("System.").And.Not.Contain("Exception").And.Not.Contain("   at ").And.Not.Contain("another kind of value"), lines[0]);
        // Settings are named by their flags, never by the library's property names.
        Assert.That(lines[0], Does.Not.Match(@"\b(HeadDropout|Steps|Minutes|Out|Resume|DropInvalid|IgTolerance|Device)\b"), lines[0]);
    }
}
