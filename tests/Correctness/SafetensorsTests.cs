using System.Buffers.Binary;
using System.Text;
using Concord.Model;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness;

/// <summary>Reading and writing safetensors: round trips, HF key layouts, half precision, and every malformed file.</summary>
[TestFixture]
public class SafetensorsTests
{
    private static readonly Gpt2Config Config = TestEnvironment.Tiny(layers: 2);

    private static string SaveModel(bool prefix = false, SafetensorsDType dtype = SafetensorsDType.F32, int seed = 1)
    {
        var folder = TempFolder.New();
        using var weights = RandomGpt2.CreateWeights(Config, seed, std: 0.3);
        weights.Save(Path.Combine(folder, "model.safetensors"), prefix, dtype);
        Config.Save(Path.Combine(folder, "config.json"));
        return folder;
    }

    [Test]
    public void WeightsSurviveARoundTripBitForBit()
    {
        var folder = SaveModel();
        using var original = RandomGpt2.CreateWeights(Config, 1, std: 0.3);
        using var loaded = Gpt2Weights.Load(Path.Combine(folder, "model.safetensors"), Config);
        foreach (var (a, b) in original.All.Zip(loaded.All)) TensorAssert.BitIdentical(b, a, "weight");
        Assert.That(Gpt2Config.Load(Path.Combine(folder, "config.json")), Is.EqualTo(Config));
    }

    [Test]
    public void BothKeyLayoutsGiveTheSameModel()
    {
        using var plain = HookedGpt2.Load(SaveModel(prefix: false));
        using var prefixed = HookedGpt2.Load(SaveModel(prefix: true));
        using var tokens = tensor(new long[] { 1, 5, 9, 2 }, [1, 4]);
        TensorAssert.BitIdentical(prefixed.Run(tokens), plain.Run(tokens), "logits");
    }

    [TestCase(SafetensorsDType.F16)]
    [TestCase(SafetensorsDType.BF16)]
    public void HalfPrecisionCheckpointsLoadAsTheRoundedValues(SafetensorsDType dtype)
    {
        using var original = RandomGpt2.CreateWeights(Config, 1, std: 0.3);
        using var loaded = Gpt2Weights.Load(Path.Combine(SaveModel(dtype: dtype), "model.safetensors"), Config);
        // Expected values rounded independently of the writer: .NET's Half for F16, truncation-with-rounding check for BF16.
        foreach (var (a, b) in original.All.Zip(loaded.All))
        {
            var expected = TensorAssert.ToDoubles(a);
            var actual = TensorAssert.ToDoubles(b);
            for (int i = 0; i < expected.Length; i++)
            {
                double want = dtype == SafetensorsDType.F16 ? (double)(float)(Half)(float)expected[i] : expected[i];
                // BF16 keeps 8 significant bits: round-to-nearest is off by at most half a unit, 2^-8 relative.
                double tol = dtype == SafetensorsDType.F16 ? 0 : Math.Abs(expected[i]) * Math.Pow(2, -8);
                Assert.That(actual[i], Is.EqualTo(want).Within(tol), $"element {i}");
            }
        }
    }

    // --- malformed files: each must fail with a message naming the file (and the tensor) ---

    private static string WriteRaw(string header, int dataBytes, long? declaredLength = null)
    {
        var path = Path.Combine(TempFolder.New(), "model.safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredLength ?? h.Length));
        h.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertRejected(string path, params string[] fragments)
    {
        var error = Assert.Throws<ModelFileException>(() => SafetensorsFile.Open(path));
        Assert.That(error!.Message, Does.Contain(path));
        foreach (var f in fragments) Assert.That(error.Message, Does.Contain(f));
    }

    [Test]
    public void FileShorterThanTheLengthPrefixIsRejected()
    {
        var path = Path.Combine(TempFolder.New(), "model.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        AssertRejected(path, "truncated");
    }

    [Test]
    public void HeaderLengthPastTheEndIsRejected() =>
        AssertRejected(WriteRaw("{}", 0, declaredLength: 1_000_000), "runs past the end");

    [Test]
    public void InvalidHeaderJsonIsRejected() =>
        AssertRejected(WriteRaw("{\"a\": [1, 2", 0), "not valid JSON");

    [Test]
    public void UnknownDtypeIsRejected() =>
        AssertRejected(WriteRaw("""{"w":{"dtype":"F8_E4M3X","shape":[2],"data_offsets":[0,2]}}""", 2), "'w'", "unknown dtype");

    [Test]
    public void OffsetsPastTheEndAreRejected() =>
        AssertRejected(WriteRaw("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8), "'w'", "past the end");

    [Test]
    public void OverlappingOffsetsAreRejected() =>
        AssertRejected(WriteRaw("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), "overlaps");

    [Test]
    public void ShapeThatDisagreesWithOffsetsIsRejected() =>
        AssertRejected(WriteRaw("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "'w'", "needs 12 bytes");

    [Test]
    public void TruncatedModelFileIsRejected()
    {
        var path = Path.Combine(SaveModel(), "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        AssertRejected(path, "past the end");
    }

    private static string RewriteModel(Func<string, SafetensorsEntry, (long[] Shape, bool Keep)> change)
    {
        var source = SafetensorsFile.Open(Path.Combine(SaveModel(), "model.safetensors"));
        var writer = new SafetensorsWriter();
        foreach (var (name, entry) in source.Entries)
        {
            var (shape, keep) = change(name, entry);
            if (!keep) continue;
            var values = source.ReadSingles(name);
            long n = shape.Aggregate(1L, (a, b) => a * b);
            writer.Add(name, shape, values.Take((int)n).Concat(new float[Math.Max(0, n - values.Length)]).ToArray());
        }
        var path = Path.Combine(TempFolder.New(), "model.safetensors");
        writer.Save(path);
        return path;
    }

    [Test]
    public void MissingTensorIsNamed()
    {
        var path = RewriteModel((name, e) => (e.Shape, name != "h.1.mlp.c_fc.bias"));
        var error = Assert.Throws<ModelFileException>(() => Gpt2Weights.Load(path, Config));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("'h.1.mlp.c_fc.bias'").And.Contain("missing"));
    }

    [Test]
    public void MisShapedTensorIsNamed()
    {
        var path = RewriteModel((name, e) => (name == "h.0.attn.c_proj.weight" ? [e.Shape[0], e.Shape[1] - 1] : e.Shape, true));
        var error = Assert.Throws<ModelFileException>(() => Gpt2Weights.Load(path, Config));
        Assert.That(error!.Message, Does.Contain(path).And.Contain("'h.0.attn.c_proj.weight'").And.Contain("expected [16, 16]"));
    }

    [Test]
    public void TransposedConv1DWeightIsCaught()
    {
        // An nn.Linear-style [out, in] c_fc weight has the wrong shape for Conv1D's [in, out].
        var path = RewriteModel((name, e) => (name == "h.0.mlp.c_fc.weight" ? [e.Shape[1], e.Shape[0]] : e.Shape, true));
        var error = Assert.Throws<ModelFileException>(() => Gpt2Weights.Load(path, Config));
        Assert.That(error!.Message, Does.Contain("'h.0.mlp.c_fc.weight'").And.Contain("[64, 16]"));
    }

    [Test]
    public void BadConfigIsNamed()
    {
        var folder = SaveModel();
        File.WriteAllText(Path.Combine(folder, "config.json"), """{"n_layer": 2, "n_head": 3, "n_embd": 16, "n_positions": 8, "vocab_size": 97}""");
        var error = Assert.Throws<ModelFileException>(() => HookedGpt2.Load(folder));
        Assert.That(error!.Message, Does.Contain("config.json").And.Contain("multiple of n_head"));
    }
}
