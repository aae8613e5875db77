using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Results;
using Concord.Model;
using static Concord.Methods.Pipeline.StoredFields;

namespace Concord.Methods.Pipeline;

/// <summary>
/// One JSON file per unit, written to a temporary name and renamed, so an interrupted run never
/// leaves a half-written unit. The first line holds the SHA-256 of the rest: a truncated, damaged
/// or edited file, or one that does not parse, is treated as missing, recomputed, and listed in
/// <see cref="Rejected"/> so the run can say so.
/// </summary>
/// <param name="formats">The kinds of unit this store reads and writes: the attribution's (<see cref="AttributionFormats"/>) unless
/// the caller's passes add theirs (a unit of a format not given is unreadable here, and counts as missing).</param>
/// <param name="methods">The methods unit files may name (the built-in catalogue when null); a unit naming another is unreadable here.</param>
/// <param name="spaces">The target spaces unit files may name besides the built-in ones (a study's own spaces); a unit naming another is unreadable here.</param>
public sealed class FileUnitStore(string folder, IReadOnlyList<UnitFormat>? formats = null, MethodCatalogue? methods = null, IEnumerable<TargetSpace>? spaces = null) : IUnitStore
{
    private readonly IReadOnlyList<UnitFormat> _formats = formats ?? AttributionFormats;
    private readonly MethodCatalogue _methods = methods ?? MethodCatalogue.BuiltIn;
    private readonly IReadOnlyList<TargetSpace> _spaces = TargetSpace.BuiltIn.Union(spaces ?? []).ToList();

    // One serializer setup per list of formats (a study keeps one list for its life): its type metadata is built once, not per task's store.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<UnitFormat>, JsonSerializerOptions> OptionsOf = new();
    private JsonSerializerOptions Json => OptionsOf.GetValue(_formats, Options);

    public string Folder { get; } = folder;

    /// <summary>The attribution pass's units: the batch's metrics, one method on one kind, one sweep point.</summary>
    public static IReadOnlyList<UnitFormat> AttributionFormats { get; } =
    [
        UnitFormat.Of<BatchMetrics, MetricsDto>("metrics", m => new MetricsDto(m.Base, m.Other)),
        UnitFormat.Of<MethodUnitResult, MethodDto>("method", u => MethodDto.From(u.Result)),
        UnitFormat.Of<SweepUnitResult, SweepDto>("sweep", u => new SweepDto(u.Point.Scale, u.Point.Space.Id(), u.Point.Scores.Values.Select(SetDto.From).ToArray())),
    ];

    // One JSON object per unit, tagged by its format ("unit": "method", …) ahead of its fields.
    private static JsonSerializerOptions Options(IReadOnlyList<UnitFormat> formats)
    {
        var resolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type != typeof(StoredUnit)) return;
            info.PolymorphismOptions = new System.Text.Json.Serialization.Metadata.JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "unit" };
            foreach (var f in formats) info.PolymorphismOptions.DerivedTypes.Add(new System.Text.Json.Serialization.Metadata.JsonDerivedType(f.RecordType, f.Tag));
        });
        return new JsonSerializerOptions
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = resolver,
        };
    }

    private string PathOf(string key) => System.IO.Path.Combine(Folder, key + ".json");

    private const string ChecksumPrefix = "sha256:";
    private readonly List<string> _rejected = [];

    /// <summary>Unit files found but not usable, one line each (file and reason).</summary>
    public IReadOnlyList<string> Rejected => _rejected;

    public bool TryLoad(string key, out UnitResult result)
    {
        result = null!;
        var path = PathOf(key);
        if (!File.Exists(path)) return false;
        string Name() => System.IO.Path.GetFileName(path);
        try
        {
            var text = InputFiles.ReadText(path, InputFiles.UnitFileBytes, "a unit file");
            int newline = text.IndexOf('\n');
            if (!text.StartsWith(ChecksumPrefix, StringComparison.Ordinal) || newline < 0)
            {
                _rejected.Add($"{Name()}: not a unit file (no checksum line)");
                return false;
            }
            var payload = text[(newline + 1)..];
            if (text[ChecksumPrefix.Length..newline] != Checksum(payload))
            {
                _rejected.Add($"{Name()}: damaged or edited (checksum mismatch)");
                return false;
            }
            var dto = JsonSerializer.Deserialize<StoredUnit>(payload, Json);
            if (dto is null) { _rejected.Add($"{Name()}: empty unit"); return false; }
            result = dto.ToResult(_methods, _spaces);
            return true;
        }
        // Damage is a file that does not parse or does not have the unit's shape; any other exception is a bug and surfaces.
        catch (Exception e) when (e is JsonException or NotSupportedException or DecoderFallbackException)
        {
            _rejected.Add($"{Name()}: unreadable ({e.GetType().Name.Replace("Exception", "")})");
            return false;
        }
        // A FIFO, a device or an oversized file where a unit belongs: not a unit; recomputed, and said why.
        catch (InputFileException e)
        {
            _rejected.Add($"{Name()}: {e.Message[(path.Length + 2)..]}");
            return false;
        }
    }

    public void Save(string key, UnitResult result)
    {
        Directory.CreateDirectory(Folder);
        var stored = _formats.Select(f => f.TryWrite(result)).FirstOrDefault(r => r is not null)
                     ?? throw new ArgumentOutOfRangeException(nameof(result), result, "no unit format of this store writes this result");
        var payload = JsonSerializer.Serialize(stored, Json);
        AtomicFile.WriteAllText(PathOf(key), $"{ChecksumPrefix}{Checksum(payload)}\n{payload}");
    }

    private static string Checksum(string payload) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(payload)));

    // The file layout: one JSON object per unit, tagged by its kind. Methods and component kinds
    // are written by their stable ids; components as [layer, kind (index into the set's kinds),
    // index, position or -1] to keep files small. A field missing or of the wrong shape is damage
    // (a JsonException), never a null or an index error inside a result.
    /// <summary>A score set as a unit file holds it (also inside other passes' records).</summary>
    public sealed record SetDto(string Method, string[] Kinds, int[][] Components, double[][] Values)
    {
        public static SetDto From(ScoreSet s)
        {
            var kinds = s.Targets.Select(c => c.Space).Distinct().ToList();
            return new(s.MethodId, kinds.Select(k => k.Id()).ToArray(),
                s.Targets.Select(c => new[] { c.Layer, kinds.IndexOf(c.Space), c.Index, c.Position ?? -1 }).ToArray(),
                Enumerable.Range(0, s.Prompts).Select(s.Row).ToArray());
        }

        public ScoreSet ToSet(MethodCatalogue methods, IReadOnlyList<TargetSpace> spaces)
        {
            var kinds = Required(Kinds).Select(k => Parse(k, id => TargetSpace.Parse(id, spaces))).ToArray();
            if (Required(Components).Any(c => c is null || c.Length != 4 || c[1] < 0 || c[1] >= kinds.Length))
                throw new JsonException("a component is not [layer, kind, index, position]");
            if (Required(Values).Any(row => row is null || row.Length != Components.Length)) throw new JsonException("score rows and components differ in length");
            var components = Components.Select(c => new Target(c[0], kinds[c[1]], c[2], c[3] < 0 ? null : c[3])).ToList();
            var values = new double[Values.Length, components.Count];
            for (int b = 0; b < Values.Length; b++)
                for (int j = 0; j < components.Count; j++) values[b, j] = Values[b][j];
            return new ScoreSet(Parse(Required(Method), methods.Parse).Id(), components, values);
        }
    }

    private sealed record CompletenessDto(int Steps, double[] Total, double[] Expected, double[]? Mass, double[]? PathAlphas = null, double[][]? PathMetric = null, double[]? Ends = null);
    private sealed record LayerDto(int Layer, SetDto Scores, CompletenessDto? Completeness);

    private sealed record MetricsDto(double[] Base, double[] Other) : StoredUnit
    {
        public override UnitResult ToResult() => new BatchMetrics(Required(Base), Required(Other));
    }

    private sealed record MethodDto(string Method, string Kind, LayerDto[] Layers) : StoredUnit
    {
        // Kept per layer, each layer's check beside its scores, as files have been since before scores had targets of any space.
        public static MethodDto From(MethodResult r) => new(r.Method.Id(), r.Space.Id(), r.Layers.Select(l => new LayerDto(l, SetDto.From(r.At(l)),
            r.CompletenessAt(l) is { } c ? new CompletenessDto(c.Steps, c.Total, c.Expected, c.Mass, c.Path?.Alphas, c.Path?.Metric, c.Ends) : null)).ToArray());

        public override UnitResult ToResult() => ToResult(MethodCatalogue.BuiltIn, TargetSpace.BuiltIn);

        public override UnitResult ToResult(MethodCatalogue methods, IReadOnlyList<TargetSpace> spaces) => new MethodUnitResult(MethodResult.FromLayers(Parse(Required(Method), methods.Parse), Parse(Required(Kind), id => TargetSpace.Parse(id, spaces)),
            (Required(Layers).Length > 0 ? Layers : throw new JsonException("a method unit without scores")).Select(l => new LayerScores(Required(l).Layer, Required(l.Scores).ToSet(methods, spaces),
                l.Completeness is { } c ? new Completeness(c.Steps, Required(c.Total), Required(c.Expected), c.Mass) { Path = PathOf(c), Ends = EndsOf(c) } : null))));
    }

    private static MetricPath? PathOf(CompletenessDto c)
    {
        if (c.PathAlphas is null || c.PathMetric is null) return null;
        if (c.PathMetric.Length != c.PathAlphas.Length || c.PathMetric.Any(m => m is null || m.Length != c.Total.Length)) throw new JsonException("IG's path does not cover every α and prompt");
        return new MetricPath(c.PathAlphas, c.PathMetric);
    }

    private static double[]? EndsOf(CompletenessDto c) =>
        c.Ends is null ? null
        : c.Ends.Length != c.Total.Length || c.Ends.Any(e => !(e > 0 && e <= 1)) ? throw new JsonException("split IG's split points are not one α in (0, 1] per prompt")
        : c.Ends;

    private sealed record SweepDto(double Scale, string Kind, SetDto[] Sets) : StoredUnit
    {
        public override UnitResult ToResult() => ToResult(MethodCatalogue.BuiltIn, TargetSpace.BuiltIn);

        public override UnitResult ToResult(MethodCatalogue methods, IReadOnlyList<TargetSpace> spaces)
        {
            var sets = Required(Sets).Select(set => Required(set).ToSet(methods, spaces)).ToList();
            if (sets.Select(set => set.MethodId).Distinct().Count() != sets.Count) throw new JsonException("a method appears twice in a sweep point");
            return new SweepUnitResult(new SweepPoint(Scale, Parse(Required(Kind), id => TargetSpace.Parse(id, spaces)), sets.ToDictionary(set => methods.Parse(set.MethodId))));
        }
    }
}
