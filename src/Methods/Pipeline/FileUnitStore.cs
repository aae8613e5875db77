using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Results;
using Concord.Model;

namespace Concord.Methods.Pipeline;

/// <summary>
/// One JSON file per unit, written to a temporary name and renamed, so an interrupted run never
/// leaves a half-written unit. The first line holds the SHA-256 of the rest: a truncated, damaged
/// or edited file, or one that does not parse, is treated as missing, recomputed, and listed in
/// <see cref="Rejected"/> so the run can say so.
/// </summary>
public sealed class FileUnitStore(string folder) : IUnitStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Folder { get; } = folder;

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
            var text = File.ReadAllText(path);
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
            var dto = JsonSerializer.Deserialize<UnitDto>(payload, Json);
            if (dto is null) { _rejected.Add($"{Name()}: empty unit"); return false; }
            result = dto.ToResult();
            return true;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or KeyNotFoundException or ArgumentException or NullReferenceException
                                      or InvalidOperationException or IndexOutOfRangeException or DecoderFallbackException)
        {
            _rejected.Add($"{Name()}: unreadable ({e.GetType().Name.Replace("Exception", "")})");
            return false;
        }
    }

    public void Save(string key, UnitResult result)
    {
        Directory.CreateDirectory(Folder);
        var payload = JsonSerializer.Serialize(UnitDto.From(result), Json);
        AtomicFile.WriteAllText(PathOf(key), $"{ChecksumPrefix}{Checksum(payload)}\n{payload}");
    }

    private static string Checksum(string payload) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(payload)));

    // The file layout: one JSON object per unit, tagged by its kind. Components are written as
    // [layer, kind, index, position or -1] to keep files small.
    private sealed record SetDto(string Method, int[][] Components, double[][] Values)
    {
        public static SetDto From(ScoreSet s) => new(s.Method.Id(),
            s.Components.Select(c => new[] { c.Layer, (int)c.Kind, c.Index, c.Position ?? -1 }).ToArray(),
            Enumerable.Range(0, s.Prompts).Select(s.Row).ToArray());

        public ScoreSet ToSet()
        {
            if (Required(Values).Any(row => row is null || row.Length != Required(Components).Length)) throw new JsonException("score rows and components differ in length");
            var components = Components.Select(c => new Component(c[0], (ComponentKind)c[1], c[2], c[3] < 0 ? null : c[3])).ToList();
            var values = new double[Values.Length, components.Count];
            for (int b = 0; b < Values.Length; b++)
                for (int j = 0; j < components.Count; j++) values[b, j] = Values[b][j];
            return new ScoreSet(MethodNames.ParseList(Required(Method)).Single(), components, values);
        }
    }

    /// <summary>A field the file must have: missing ones make the file unusable, never a null inside a result.</summary>
    private static T Required<T>(T? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string field = "") where T : class =>
        value ?? throw new JsonException($"missing {field}");

    private sealed record CompletenessDto(int Steps, double[] Total, double[] Expected, double[]? Mass);
    private sealed record LayerDto(int Layer, SetDto Scores, CompletenessDto? Completeness);

    [JsonPolymorphic(TypeDiscriminatorPropertyName = "unit")]
    [JsonDerivedType(typeof(MetricsDto), "metrics")]
    [JsonDerivedType(typeof(MethodDto), "method")]
    [JsonDerivedType(typeof(SweepDto), "sweep")]
    private abstract record UnitDto
    {
        public abstract UnitResult ToResult();

        public static UnitDto From(UnitResult result) => result switch
        {
            BatchMetrics m => new MetricsDto(m.Base, m.Other),
            MethodUnitResult { Result: var r } => new MethodDto(r.Method.Id(), r.Kind.Id(), r.Layers.Select(l => new LayerDto(l.Layer, SetDto.From(l.Scores),
                l.Completeness is { } c ? new CompletenessDto(c.Steps, c.Total, c.Expected, c.Mass) : null)).ToArray()),
            SweepUnitResult { Point: var p } => new SweepDto(p.Scale, p.Kind.Id(), SetDto.From(p.Ig), SetDto.From(p.Ap), SetDto.From(p.AtpScaled)),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result, "unknown unit result"),
        };
    }

    private sealed record MetricsDto(double[] Base, double[] Other) : UnitDto
    {
        public override UnitResult ToResult() => new BatchMetrics(Required(Base), Required(Other));
    }

    private sealed record MethodDto(string Method, string Kind, LayerDto[] Layers) : UnitDto
    {
        public override UnitResult ToResult() => new MethodUnitResult(new MethodResult(MethodNames.ParseList(Required(Method)).Single(), ComponentKinds.ParseList(Required(Kind)).Single(),
            Required(Layers).Select(l => new LayerScores(l.Layer, Required(l.Scores).ToSet(),
                l.Completeness is { } c ? new Completeness(c.Steps, Required(c.Total), Required(c.Expected), c.Mass) : null)).ToList()));
    }

    private sealed record SweepDto(double Scale, string Kind, SetDto Ig, SetDto Ap, SetDto AtpScaled) : UnitDto
    {
        public override UnitResult ToResult() => new SweepUnitResult(new SweepPoint(Scale, ComponentKinds.ParseList(Required(Kind)).Single(),
            Required(Ig).ToSet(), Required(Ap).ToSet(), Required(AtpScaled).ToSet()));
    }
}
