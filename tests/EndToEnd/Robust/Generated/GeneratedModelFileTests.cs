using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Concord.Tests.EndToEnd.Support;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.EndToEnd.Robust.Generated;

/// <summary>
/// Issue 30 (c): config.json and model.safetensors mutated from the valid tiny model
/// (<see cref="TestModels.TinyFolder"/>) — truncated, a header byte changed, a header length that lies,
/// header and config fields missing, of the wrong type, negative, zero or huge — and given to `model info`,
/// `predict` and `run`: each either still works (exit 0) or is refused as a bad input file (exit 3; 2 where a
/// size is refused as too large for the machine) in one line naming config.json or model.safetensors, with
/// no --out created. FsCheck draws the cases from a fixed seed; a failure prints it and the command line.
/// </summary>
[TestFixture, NonParallelizable]
public class GeneratedModelFileTests
{
    private const int Cases = 240;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    public enum Mutation
    {
        Truncate, FlipHeaderByte, HeaderLength, TensorFieldMissing, TensorFieldWrongType, TensorOffsets, TensorShape, TensorDtype, TensorDropped, TensorRenamed,
        ConfigFieldMissing, ConfigWrongType, ConfigNegative, ConfigZero, ConfigHuge, ConfigTruncated, ConfigFlipByte, ConfigNotAnObject,
    }

    private static readonly string[] JsonOfOtherTypes = ["\"x\"", "\"2\"", "[]", "[2]", "{}", "null", "true", "1.5", "\"\""];
    private static readonly string[] Huge = ["2147483648", "2147483647", "1000000000", "9007199254740993", "1e400", "1e18", "65536"];

    private static byte[] Safetensors => File.ReadAllBytes(Path.Combine(TestModels.TinyFolder, "model.safetensors"));
    private static string Config => File.ReadAllText(Path.Combine(TestModels.TinyFolder, "config.json"));

    private static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (JsonNode.Parse(Encoding.UTF8.GetString(file, 8, (int)length))!.AsObject(), file[(8 + (int)length)..]);
    }

    private static byte[] Join(JsonObject header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        return [.. length, .. json, .. data];
    }

    /// <summary>The model folder's two files after <paramref name="mutation"/>, chosen within it by <paramref name="at"/> and <paramref name="pick"/>.</summary>
    private static (byte[] Weights, string Config) Apply(Mutation mutation, int at, int pick)
    {
        byte[] weights = Safetensors;
        string config = Config;
        var (header, data) = Split(weights);
        var tensors = header.Where(p => p.Key != "__metadata__").Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        var tensor = header[tensors[at % tensors.Length]]!.AsObject();
        var configJson = JsonNode.Parse(config)!.AsObject();
        var fields = configJson.Select(p => p.Key).ToArray();
        string field = fields[at % fields.Length];
        string[] tensorFields = ["dtype", "shape", "data_offsets"];
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(weights);
        switch (mutation)
        {
            case Mutation.Truncate:
                return (weights[..(int)((long)at * 7919 % weights.Length)], config);
            case Mutation.FlipHeaderByte:
                weights[8 + at % (int)headerLength] ^= (byte)(1 + pick % 255);
                return (weights, config);
            case Mutation.HeaderLength:
                ulong[] lies = [0, 1, (ulong)headerLength - 1, (ulong)headerLength + 1, (ulong)weights.Length, (ulong)weights.Length - 8, ulong.MaxValue, 1UL << 62, (ulong)int.MaxValue + 1];
                BinaryPrimitives.WriteUInt64LittleEndian(weights, lies[pick % lies.Length]);
                return (weights, config);
            case Mutation.TensorFieldMissing:
                tensor.Remove(tensorFields[pick % 3]);
                return (Join(header, data), config);
            case Mutation.TensorFieldWrongType:
                tensor[tensorFields[pick % 3]] = JsonNode.Parse(JsonOfOtherTypes[at % JsonOfOtherTypes.Length]);
                return (Join(header, data), config);
            case Mutation.TensorOffsets:
                var offsets = tensor["data_offsets"]!.AsArray().Select(n => (long)n!).ToArray();
                long[][] bad = [[-1, offsets[1]], [offsets[1], offsets[0]], [0, data.Length + 4L], [offsets[0], long.MaxValue], [offsets[0] + 4, offsets[1] + 4], [offsets[0], offsets[1], 0], [0, 0]];
                tensor["data_offsets"] = new JsonArray(bad[pick % bad.Length].Select(v => (JsonNode)v).ToArray());
                return (Join(header, data), config);
            case Mutation.TensorShape:
                long[][] shapes = [[-1], [], [0], [1L << 40, 1L << 40], [int.MaxValue, 3], [1, 2, 3, 4, 5]];
                tensor["shape"] = new JsonArray(shapes[pick % shapes.Length].Select(v => (JsonNode)v).ToArray());
                return (Join(header, data), config);
            case Mutation.TensorDtype:
                string[] dtypes = ["F8", "I64", "BOOL", "U8", "f32", "", "F16"];
                tensor["dtype"] = dtypes[pick % dtypes.Length];
                return (Join(header, data), config);
            case Mutation.TensorDropped:
                header.Remove(tensors[at % tensors.Length]);
                return (Join(header, data), config);
            case Mutation.TensorRenamed:
                header.Remove(tensors[at % tensors.Length]);
                header[tensors[at % tensors.Length] + (pick % 2 == 0 ? "_x" : "\u00e9")] = tensor;
                return (Join(header, data), config);
            case Mutation.ConfigFieldMissing:
                configJson.Remove(field);
                return (weights, configJson.ToJsonString());
            case Mutation.ConfigWrongType:
                configJson[field] = JsonNode.Parse(JsonOfOtherTypes[pick % JsonOfOtherTypes.Length]);
                return (weights, configJson.ToJsonString());
            case Mutation.ConfigNegative:
                return (weights, configJson.ToJsonString().Replace($"\"{field}\":", $"\"{field}\":-", StringComparison.Ordinal).Replace(":--", ":-", StringComparison.Ordinal));
            case Mutation.ConfigZero:
                configJson[field] = 0;
                return (weights, configJson.ToJsonString());
            case Mutation.ConfigHuge:
                configJson[field] = 0;
                return (weights, configJson.ToJsonString().Replace($"\"{field}\":0", $"\"{field}\":{Huge[pick % Huge.Length]}", StringComparison.Ordinal));
            case Mutation.ConfigTruncated:
                return (weights, config[..(at % config.Length)]);
            case Mutation.ConfigFlipByte:
                var bytes = Encoding.UTF8.GetBytes(config);
                bytes[at % bytes.Length] ^= (byte)(1 + pick % 255);
                return (weights, Encoding.UTF8.GetString(bytes));
            case Mutation.ConfigNotAnObject:
                return (weights, JsonOfOtherTypes[pick % JsonOfOtherTypes.Length]);
            default:
                throw new ArgumentOutOfRangeException(nameof(mutation));
        }
    }

    private static string[] CommandLine(int command, string model, string output) => (command % 3) switch
    {
        0 => ["model", "info", model],
        1 => ["predict", "--model", model, "--prompt", "When Mary and John went", "--top", "2"],
        _ => ["run", "--model", model, "--task", "capital-country", "--examples", "2", "--steps", "4", "--sweep", "none", "--verify", "none",
              "--components", "heads", "--methods", "ig,ap", "--batch-size", "2", "--out", output],
    };

    [Test]
    public void AMutatedModelRunsOrIsRefusedNamingItsFile()
    {
        var (config, seed) = MalformedValues.Seeded(nameof(AMutatedModelRunsOrIsRefusedNamingItsFile), Cases);
        var cases = from mutation in Gen.Elements(Enum.GetValues<Mutation>())
                    from at in Gen.Choose(0, 100_000)
                    from pick in Gen.Choose(0, 1000)
                    from command in Gen.Frequency((3, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)))
                    select (mutation, at, pick, command);
        Check.One(config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var folder = TempFolder.New("model");
            var model = Directory.CreateDirectory(Path.Combine(folder, "model")).FullName;
            var (weights, json) = Apply(c.mutation, c.at, c.pick);
            File.WriteAllBytes(Path.Combine(model, "model.safetensors"), weights);
            File.WriteAllText(Path.Combine(model, "config.json"), json);
            string output = Path.Combine(folder, "out");
            var args = CommandLine(c.command, model, output);
            var result = InProcessConcord.Run(args, folder, CaseTimeout);
            if (ErrorContract.Violation(result, 0, ["config.json", "model.safetensors"], [output]) is { } violation)
                throw new AssertionException($"{violation}\n  {c.mutation} at {c.at}, pick {c.pick}, seed {seed}\n  {ErrorContract.Shown(args)}\n  exit {result.Code}, stderr: {result.Error.Trim()}");
            if (result.Code == 2)
                Assert.That(result.Error, Does.Contain("memory").Or.Contain("too large").Or.Contain("exceeds"), "exit 2 only for a size the machine cannot hold");
            return true;
        }));
    }
}
