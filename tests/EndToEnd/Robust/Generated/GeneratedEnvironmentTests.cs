using System.Text.RegularExpressions;
using Concord.Model;
using Concord.Model.Store;
using Concord.Tasks;
using Concord.Tests.EndToEnd.Support;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust.Generated;

/// <summary>
/// Issue 30 (d): the environment variables Concord reads, set to generated values that are no address, no
/// folder, a file, a device, empty or odd text, keep the <see cref="ErrorContract"/> for commands that read
/// them: refused in one line naming the variable (or the path it gave), or, where the value is usable after
/// all, the same exit as with a valid value. HF_HOME (Hugging Face's, which Concord does not read) must change
/// nothing. The variables read in the program's first instant (the BLAS mode) are tried in real processes.
/// </summary>
[TestFixture, NonParallelizable]
public partial class GeneratedEnvironmentTests
{
    private const int CasesPerPair = 12;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);
    private const string NoHub = "http://127.0.0.1:1";

    /// <summary>Values a hub address variable should refuse (or, by chance, take and fail to connect to): none resolves a name.</summary>
    private static Gen<string> NotAnAddress { get; } = Gen.OneOf(
        MalformedValues.Any.Select(v => v.Value),
        Gen.Elements("notaurl", "ftp://x", "http://", "https://", "https://exa mple.com", "http://[::1", "http://127.0.0.1:99999", "file:///etc/passwd",
            "//127.0.0.1/hf", "http://user:pw@127.0.0.1:1", "http://127.0.0.1:1/?q=1", "http://127.0.0.1:1/#x", "127.0.0.1:1", "http:127.0.0.1", "HTTP://127.0.0.1:1/mirror",
            "http://127.0.0.1:0", " http://127.0.0.1:1 "));

    /// <summary>A command that reads the variable, with the other variables it needs set harmlessly, and what it exits with when the variable is valid.</summary>
    public sealed record Pair(string Variable, string[] Args, Func<string, Dictionary<string, string?>> Environment, Func<string, string> ValidValue, int ValidCode)
    {
        public override string ToString() => $"{Variable} × {string.Join(' ', Args.Take(2))}";
    }

    private static string Home => ProjectPaths.Root;

    /// <summary>The pairs; {folder} in Args and in the values is the case's folder.</summary>
    public static IEnumerable<Pair> Pairs()
    {
        Dictionary<string, string?> Quiet(string folder) => new()
        {
            [HubDownloader.EndpointVariable] = NoHub,
            [ModelStore.CacheVariable] = Path.Combine(folder, "cache"),
            [ProjectPaths.HomeVariable] = Home,
            ["HOME"] = folder,
            ["HF_HOME"] = null,
        };
        string[] download = ["model", "download", "gpt2"];
        yield return new(HubDownloader.EndpointVariable, download, Quiet, _ => NoHub, 1);
        yield return new(ModelStore.CacheVariable, download, Quiet, f => Path.Combine(f, "cache"), 1);
        yield return new(ModelStore.CacheVariable, ["model", "info", "gpt2"], Quiet, f => Path.Combine(f, "cache"), 3);
        yield return new("HOME", download, f => { var e = Quiet(f); e[ModelStore.CacheVariable] = null; return e; }, f => f, 1);
        yield return new(ProjectPaths.HomeVariable, ["datasets", "validate", "--task", "capital-country"], Quiet, _ => Home, 0);
        yield return new(ProjectPaths.HomeVariable, ["model", "eval", "--model", "concord-tasks-small", "--task", "capital-country", "--examples", "2"], Quiet, _ => Home, 0);
        yield return new("HF_HOME", download, Quiet, f => f, 1);
        yield return new("HF_HOME", ["datasets", "validate", "--task", "capital-country"], Quiet, f => f, 0);
    }

    private static IEnumerable<TestCaseData> PairCases() => Pairs().Select(p => new TestCaseData(p).SetName(p.ToString()));

    private static InProcessConcord.Result Run(Pair pair, string folder, string value)
    {
        var cwd = Directory.CreateDirectory(Path.Combine(folder, "cwd")).FullName;
        var environment = pair.Environment(folder);
        environment[pair.Variable] = value;
        return InProcessConcord.Run(pair.Args, cwd, CaseTimeout, environment);
    }

    [TestCaseSource(nameof(PairCases))]
    public void AMalformedVariableKeepsTheErrorContract(Pair pair)
    {
        var validFolder = TempFolder.New("valid");
        var valid = Run(pair, validFolder, pair.ValidValue(validFolder));
        Assert.That(valid.Code, Is.EqualTo(pair.ValidCode), $"{pair.Variable}={pair.ValidValue(validFolder)} concord {string.Join(' ', pair.Args)}: {valid.Error}");
        // An empty variable is an unset one: HF_ENDPOINT would then name the real hub, and HOME the real home, so neither is tried
        // empty; nor is HOME the root, where the model cache (/.cache/concord) is a folder a user may have.
        var values = (pair.Variable == HubDownloader.EndpointVariable ? NotAnAddress : MalformedValues.Any.Select(v => v.Value))
            .Where(v => v.Length > 0 && !(pair.Variable == "HOME" && v.Trim('/').Length == 0));
        var (config, seed) = MalformedValues.Seeded(pair.ToString(), CasesPerPair);
        Check.One(config, Prop.ForAll(values.ToArbitrary(), raw =>
        {
            var folder = TempFolder.New("env");
            string value = MalformedValues.Resolve(raw, folder);
            var result = Run(pair, folder, value);
            // Hugging Face's variable is not Concord's: it must change nothing.
            int expected = pair.ValidCode;
            string? violation = pair.Variable == "HF_HOME"
                ? result.Code == expected ? null : $"HF_HOME changed the exit from {expected} to {result.Code}"
                : ErrorContract.Violation(result, expected, [pair.Variable, value.Trim().Length >= 2 ? value.Trim() : pair.Variable, $"'{value}'"], [Path.Combine(folder, "cache"), Path.Combine(folder, "missing")]);
            if (violation is not null)
                throw new AssertionException($"{violation}\n  seed {seed}\n  {pair.Variable}=$'{value.Replace("\n", "\\n", StringComparison.Ordinal)}' {ErrorContract.Shown(pair.Args)}\n  exit {result.Code}, stderr: {result.Error.Trim()}");
            return true;
        }));
    }

    /// <summary>Every variable the sources read is one this suite sets (or one read before any command, tried in processes below).</summary>
    [Test]
    public void EveryVariableTheSourcesReadIsGenerated()
    {
        var constants = new Dictionary<string, string>
        {
            ["EndpointVariable"] = HubDownloader.EndpointVariable, ["CacheVariable"] = ModelStore.CacheVariable, ["HomeVariable"] = ProjectPaths.HomeVariable,
            ["MklVariable"] = NumericalReproducibility.MklVariable, ["OptOutVariable"] = NumericalReproducibility.OptOutVariable,
        };
        var read = Directory.GetFiles(Path.Combine(ProjectPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => GetEnvironmentVariable().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Select(name => name.StartsWith('"') ? name.Trim('"') : constants.TryGetValue(name, out var v) ? v : $"unknown constant {name}")
            .ToHashSet();
        var covered = Pairs().Select(p => p.Variable).Concat(StartUpVariables).ToHashSet();
        Assert.That(read, Is.SubsetOf(covered), "a variable the sources read that this suite does not generate values for");
    }

    [GeneratedRegex(@"GetEnvironmentVariable\(\s*([A-Za-z_.]+|""[^""]+"")\s*\)")]
    private static partial Regex GetEnvironmentVariable();

    private static readonly string[] StartUpVariables = [NumericalReproducibility.MklVariable, NumericalReproducibility.OptOutVariable];

    /// <summary>
    /// MKL_CBWR and CONCORD_REPRODUCIBLE are read when the program starts (and MKL reads MKL_CBWR once, natively),
    /// so they are tried in real processes, fewer of them: whatever they hold, a prediction runs or is refused in one line.
    /// </summary>
    [Test]
    public void TheBlasModeVariablesNeverBreakAStart()
    {
        foreach (var variable in StartUpVariables)
        {
            var (config, seed) = MalformedValues.Seeded(variable, 3);
            Check.One(config, Prop.ForAll(MalformedValues.Any.Select(v => v.Value).ToArbitrary(), raw =>
            {
                var folder = TempFolder.New("env");
                string value = MalformedValues.Resolve(raw, folder);
                string[] args = ["predict", "--model", TestModels.TinyFolder, "--prompt", "hi", "--top", "2"];
                var (code, output, error) = ConcordProcess.Run(TimeSpan.FromMinutes(1), new Dictionary<string, string> { [variable] = value }, args);
                var result = new InProcessConcord.Result(code, output, error, false);
                if (ErrorContract.Violation(result, 0, [variable], []) is { } violation)
                    throw new AssertionException($"{violation}\n  seed {seed}\n  {variable}=$'{value}' {ErrorContract.Shown(args)}\n  exit {code}, stderr: {error.Trim()}");
                return true;
            }));
        }
    }
}
