using System.Text.Json;
using System.Text.Json.Serialization;
using Concord.Methods.Attribution;
using Concord.Methods.Components;
using Concord.Methods.Results;
using Concord.Model;

namespace Concord.Methods.Pipeline;

/// <summary>
/// One JSON file per unit, written to a temporary name and renamed, so an interrupted run never
/// leaves a half-written unit; a file that does not parse is treated as missing and recomputed.
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

    public bool TryLoad(string key, out UnitResult result)
    {
        result = null!;
        var path = PathOf(key);
        if (!File.Exists(path)) return false;
        try
        {
            var dto = JsonSerializer.Deserialize<UnitDto>(File.ReadAllText(path), Json);
            if (dto is null) return false;
            result = dto.ToResult();
            return true;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or KeyNotFoundException or ArgumentException or NullReferenceException or InvalidOperationException)
        {
            return false;
        }
    }

    public void Save(string key, UnitResult result)
    {
        Directory.CreateDirectory(Folder);
        AtomicFile.WriteAllText(PathOf(key), JsonSerializer.Serialize(UnitDto.From(result), Json));
    }

    // The file layout: one JSON object per unit, tagged by its kind. Components are written as
    // [layer, kind, index, position or -1] to keep files small.
    private sealed record SetDto(string Method, int[][] Components, double[][] Values)
    {
        public static SetDto From(ScoreSet s) => new(s.Method.Id(),
            s.Components.Select(c => new[] { c.Layer, (int)c.Kind, c.Index, c.Position ?? -1 }).ToArray(),
            Enumerable.Range(0, s.Prompts).Select(s.Row).ToArray());

        public ScoreSet ToSet()
        {
            var components = Components.Select(c => new Component(c[0], (ComponentKind)c[1], c[2], c[3] < 0 ? null : c[3])).ToList();
            var values = new double[Values.Length, components.Count];
            for (int b = 0; b < Values.Length; b++)
                for (int j = 0; j < components.Count; j++) values[b, j] = Values[b][j];
            return new ScoreSet(MethodNames.ParseList(Method).Single(), components, values);
        }
    }

    private sealed record CompletenessDto(int Steps, double[] Total, double[] Expected);
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
                l.Completeness is { } c ? new CompletenessDto(c.Steps, c.Total, c.Expected) : null)).ToArray()),
            SweepUnitResult { Point: var p } => new SweepDto(p.Scale, p.Kind.Id(), SetDto.From(p.Ig), SetDto.From(p.Ap), SetDto.From(p.AtpScaled)),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result, "unknown unit result"),
        };
    }

    private sealed record MetricsDto(double[] Base, double[] Other) : UnitDto
    {
        public override UnitResult ToResult() => new BatchMetrics(Base, Other);
    }

    private sealed record MethodDto(string Method, string Kind, LayerDto[] Layers) : UnitDto
    {
        public override UnitResult ToResult() => new MethodUnitResult(new MethodResult(MethodNames.ParseList(Method).Single(), ComponentKinds.ParseList(Kind).Single(),
            Layers.Select(l => new LayerScores(l.Layer, l.Scores.ToSet(), l.Completeness is { } c ? new Completeness(c.Steps, c.Total, c.Expected) : null)).ToList()));
    }

    private sealed record SweepDto(double Scale, string Kind, SetDto Ig, SetDto Ap, SetDto AtpScaled) : UnitDto
    {
        public override UnitResult ToResult() => new SweepUnitResult(new SweepPoint(Scale, ComponentKinds.ParseList(Kind).Single(), Ig.ToSet(), Ap.ToSet(), AtpScaled.ToSet()));
    }
}
