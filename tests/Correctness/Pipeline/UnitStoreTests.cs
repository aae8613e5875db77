using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Pipeline;
using Concord.Methods.Results;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Pipeline;

/// <summary>A unit written to disk reads back as the same typed result, bit for bit; a misplaced or foreign file is not reused.</summary>
[TestFixture]
public class UnitStoreTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = TempFolder.New("units");

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    // Values whose shortest decimal form needs all 17 digits, a negative zero, and an infinity:
    // a text round trip that lost any of them would show.
    private static readonly double[] Awkward = [0.1 + 0.2, -0.0, 1.0 / 3, double.PositiveInfinity, -1e-300];

    private static ScoreSet Set(Method method, TargetSpace kind, int layer, bool perPosition = false)
    {
        var components = Enumerable.Range(0, 2).Select(i => new Target(layer, kind, i, perPosition ? i : null)).ToList();
        var values = new double[2, 2];
        for (int p = 0; p < 2; p++)
            for (int j = 0; j < 2; j++) values[p, j] = Awkward[(p * 2 + j + layer) % Awkward.Length] * (method == Method.Ig ? 1 : 2);
        return new ScoreSet(method.Id(), components, values);
    }

    private static UnitResult RoundTrip(FileUnitStore store, UnitResult result)
    {
        store.Save("unit", result);
        Assert.That(store.TryLoad("unit", out var loaded), Is.True);
        return loaded;
    }

    private static void AssertSame(ScoreSet actual, ScoreSet expected)
    {
        Assert.That(actual.MethodId, Is.EqualTo(expected.MethodId));
        Assert.That(actual.Targets, Is.EqualTo(expected.Targets));
        for (int p = 0; p < expected.Prompts; p++)
            for (int j = 0; j < expected.Targets.Count; j++)
                Assert.That(BitConverter.DoubleToInt64Bits(actual[p, j]), Is.EqualTo(BitConverter.DoubleToInt64Bits(expected[p, j])), $"prompt {p}, slot {j}");
    }

    [Test]
    public void MetricsReadBackBitForBit()
    {
        var metrics = (BatchMetrics)RoundTrip(new FileUnitStore(_folder), new BatchMetrics([0.1 + 0.2, -0.0], [1.0 / 3, double.NaN]));
        Assert.That(metrics.Base.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(new[] { 0.1 + 0.2, -0.0 }.Select(BitConverter.DoubleToInt64Bits)));
        Assert.That(metrics.Other[0], Is.EqualTo(1.0 / 3));
        Assert.That(metrics.Other[1], Is.NaN);
    }

    [Test]
    public void MethodResultsReadBackWithTheirLayersAndCompletenessChecks()
    {
        var ig = MethodResult.FromLayers(Method.Ig, TargetSpace.Head,
            [new LayerScores(0, Set(Method.Ig, TargetSpace.Head, 0), new Completeness(50, [1.5, 2], [1.25, 2.5])),
             new LayerScores(1, Set(Method.Ig, TargetSpace.Head, 1, perPosition: true), new Completeness(50, [0.1, 0.2], [0.3, 0.4]))]);
        var loaded = ((MethodUnitResult)RoundTrip(new FileUnitStore(_folder), new MethodUnitResult(ig))).Result;
        Assert.That((loaded.Method, loaded.Space), Is.EqualTo((Method.Ig, TargetSpace.Head)));
        Assert.That(loaded.Layers, Is.EqualTo(new[] { 0, 1 }));
        for (int l = 0; l < 2; l++)
        {
            AssertSame(loaded.At(l), ig.At(l));
            Assert.That(loaded.CompletenessAt(l), Is.Not.Null);
            Assert.That(loaded.CompletenessAt(l)!.Steps, Is.EqualTo(50));
            Assert.That(loaded.CompletenessAt(l)!.Delta, Is.EqualTo(ig.CompletenessAt(l)!.Delta));
        }

        var ap = MethodResult.FromLayers(Method.Ap, TargetSpace.Neuron, [new LayerScores(3, Set(Method.Ap, TargetSpace.Neuron, 3))]);
        var apLoaded = ((MethodUnitResult)RoundTrip(new FileUnitStore(_folder), new MethodUnitResult(ap))).Result;
        Assert.That(apLoaded.Completeness, Is.Empty, "AP has no completeness check");
        AssertSame(apLoaded.Scores, ap.Scores);
    }

    [Test]
    public void SweepPointsReadBackAsTheirScoreSetsByMethod()
    {
        var point = Sweep(0.25, TargetSpace.Mlp, Set(Method.Ig, TargetSpace.Mlp, 0), Set(Method.Ap, TargetSpace.Mlp, 1), Set(Method.Atp, TargetSpace.Mlp, 2));
        var loaded = ((SweepUnitResult)RoundTrip(new FileUnitStore(_folder), new SweepUnitResult(point))).Point;
        Assert.That((loaded.Scale, loaded.Space), Is.EqualTo((0.25, TargetSpace.Mlp)));
        Assert.That(loaded.Scores.Keys, Is.EquivalentTo(point.Scores.Keys));
        foreach (var method in point.Scores.Keys) AssertSame(loaded[method], point[method]);
    }

    private static SweepPoint Sweep(double scale, TargetSpace kind, ScoreSet ig, ScoreSet ap, ScoreSet atp) =>
        new(scale, kind, new Dictionary<Method, ScoreSet> { [Method.Ig] = ig, [Method.Ap] = ap, [Method.Atp] = atp });

    [Test]
    public void AFileThatIsNotAUnitIsTreatedAsMissing()
    {
        var store = new FileUnitStore(_folder);
        foreach (var text in new[] { "", "{", "[]", "{\"unit\":\"nonsense\"}", "{\"Sets\":[],\"Convergence\":[]}", "\0\0binary",
                     "sha256:00\n{}", "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("{\"unit\":\"metrics\"}"u8.ToArray())) + "\n{\"unit\":\"metrics\"}" })
        {
            File.WriteAllText(Path.Combine(_folder, "unit.json"), text);
            Assert.That(store.TryLoad("unit", out _), Is.False, $"'{text}'");
        }
    }

    /// <summary>A stored result of another unit's kind or shape (a renamed file, a hash collision, a forged file) is never read as this unit's.</summary>
    [Test]
    public void AUnitAcceptsOnlyAResultOfItsOwnKindAndShape()
    {
        var metrics = new BatchMetrics([1, 2], [3, 4]);
        var igHeads = new MethodUnitResult(MethodResult.FromLayers(Method.Ig, TargetSpace.Head,
            [new LayerScores(0, Set(Method.Ig, TargetSpace.Head, 0), new Completeness(4, [0, 0], [0, 0]))]));
        var igWithoutCheck = new MethodUnitResult(MethodResult.FromLayers(Method.Ig, TargetSpace.Head, [new LayerScores(0, Set(Method.Ig, TargetSpace.Head, 0))]));
        var sweep = new SweepUnitResult(Sweep(0.5, TargetSpace.Head, Set(Method.Ig, TargetSpace.Head, 0), Set(Method.Ap, TargetSpace.Head, 0), Set(Method.Atp, TargetSpace.Head, 0)));
        Assert.That(MetricsUnit.Instance.Matches(metrics, prompts: 2), Is.True);
        Assert.That(MetricsUnit.Instance.Matches(metrics, prompts: 3), Is.False, "another batch size");
        Assert.That(MetricsUnit.Instance.Matches(igHeads, prompts: 2), Is.False);
        Assert.That(new MethodUnit(Method.Ig, TargetSpace.Head).Matches(igHeads, 2), Is.True);
        Assert.That(new MethodUnit(Method.Ig, TargetSpace.Head).Matches(igHeads, 3), Is.False);
        Assert.That(new MethodUnit(Method.Ig, TargetSpace.Head).Matches(igWithoutCheck, 2), Is.False, "IG without its completeness check");
        Assert.That(new MethodUnit(Method.Ap, TargetSpace.Head).Matches(igHeads, 2), Is.False);
        Assert.That(new MethodUnit(Method.Ig, TargetSpace.Mlp).Matches(igHeads, 2), Is.False);
        Assert.That(new SweepUnit(TargetSpace.Head, 0.5, MethodCatalogue.BuiltIn).Matches(sweep, 2), Is.True);
        Assert.That(new SweepUnit(TargetSpace.Head, 0.1, MethodCatalogue.BuiltIn).Matches(sweep, 2), Is.False);
        Assert.That(new SweepUnit(TargetSpace.Head, 0.5, MethodCatalogue.BuiltIn).Matches(metrics, 2), Is.False);
    }

    /// <summary>Every byte of a unit counts: a file truncated, edited or replaced is rejected with one line, never read.</summary>
    [Test]
    public void DamagedEditedOrTruncatedFilesAreRejectedWithAReason()
    {
        var store = new FileUnitStore(_folder);
        store.Save("unit", new BatchMetrics([1.5, 2.5], [0.5, 0.25]));
        var path = Path.Combine(_folder, "unit.json");
        var good = File.ReadAllText(path);
        Assert.That(store.TryLoad("unit", out _), Is.True);

        File.WriteAllText(path, good.Replace("1.5", "9.5"));
        Assert.That(store.TryLoad("unit", out _), Is.False, "an edited value");
        File.WriteAllText(path, good[..(good.Length / 2)]);
        Assert.That(store.TryLoad("unit", out _), Is.False, "a truncated file");
        File.WriteAllText(path, good[(good.IndexOf('\n') + 1)..]);
        Assert.That(store.TryLoad("unit", out _), Is.False, "a file without its checksum line");
        Assert.That(store.Rejected, Has.Count.EqualTo(3));
        Assert.That(store.Rejected[0], Does.Contain("unit.json").And.Contain("checksum mismatch"));
        Assert.That(store.Rejected[2], Does.Contain("no checksum line"));
    }

    [Test]
    public void WritersOfTheSameUnitAtOnceNeverLeaveAPartialFile()
    {
        // Two shards that compute the same unit (e.g. where file locks do not work): each writes its own
        // temporary and renames it, so a reader sees one whole version or none, never a mix or a fragment.
        var big = new MethodUnitResult(MethodResult.FromLayers(Method.Ig, TargetSpace.Neuron,
            Enumerable.Range(0, 12).Select(l => new LayerScores(l, Set(Method.Ig, TargetSpace.Neuron, l), null)).ToList()));
        var writers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var store = new FileUnitStore(_folder);
            for (int i = 0; i < 200; i++) store.Save("unit", big);
        })).ToArray();
        var reader = new FileUnitStore(_folder);
        int reads = 0;
        while (!writers.All(w => w.IsCompleted))
            if (reader.TryLoad("unit", out _)) reads++;
        Task.WaitAll(writers);
        Assert.That(reader.Rejected, Is.Empty, "no read saw a partial or mixed file");
        Assert.That(reads, Is.GreaterThan(0), "the reader raced the writers");
        Assert.That(Directory.GetFiles(_folder), Has.Length.EqualTo(1), "no temporary is left");
    }
}
