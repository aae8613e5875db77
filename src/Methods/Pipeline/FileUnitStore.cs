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
        catch (Exception e) when (e is JsonException or KeyNotFoundException or ArgumentException or NullReferenceException)
        {
            return false;
        }
    }

    public void Save(string key, UnitResult result)
    {
        Directory.CreateDirectory(Folder);
        AtomicFile.WriteAllText(PathOf(key), JsonSerializer.Serialize(UnitDto.From(result), Json));
    }

    private sealed record SetDto(string Method, int[][] Components, double[][] Values);
    private sealed record ConvergenceDto(string Kind, int Layer, double[] Total, double[] Expected);
    private sealed record UnitDto(SetDto[] Sets, ConvergenceDto[] Convergence, double[]? BaseMetric, double[]? OtherMetric)
    {
        public static UnitDto From(UnitResult r) => new(
            r.Sets.Select(s => new SetDto(s.Method.CliName(),
                s.Components.Select(c => new[] { c.Layer, (int)c.Kind, c.Index, c.Position ?? -1 }).ToArray(),
                Enumerable.Range(0, s.Prompts).Select(s.Row).ToArray())).ToArray(),
            r.Convergence.Select(c => new ConvergenceDto(c.Kind.CliName(), c.Layer, c.Total, c.Expected)).ToArray(),
            r.BaseMetric, r.OtherMetric);

        public UnitResult ToResult() => new(
            Sets.Select(s =>
            {
                var components = s.Components.Select(c => new Component(c[0], (ComponentKind)c[1], c[2], c[3] < 0 ? null : c[3])).ToList();
                var values = new double[s.Values.Length, components.Count];
                for (int b = 0; b < s.Values.Length; b++)
                    for (int j = 0; j < components.Count; j++) values[b, j] = s.Values[b][j];
                return new ScoreSet(MethodNames.ParseList(s.Method)[0], components, values);
            }).ToList(),
            Convergence.Select(c => new LayerConvergence(ComponentKinds.ParseList(c.Kind)[0], c.Layer, c.Total, c.Expected)).ToList(),
            BaseMetric, OtherMetric);
    }
}
