using System.Text.Json;
using System.Text.Json.Nodes;
using Concord.Model;

namespace Concord.Studies.Storage;

/// <summary>
/// <c>shards.json</c> in a sharded --out: the run's fingerprint, the number of shards and the
/// options, written by whichever shard starts first and checked by every later shard and by the
/// merge, so shards of different runs never mix their units in one folder. Written only if absent
/// (<see cref="AtomicFile.TryCreate"/>), so two shards starting together agree on one.
/// </summary>
public sealed record ShardManifest(string Run, int Shards, IReadOnlyList<(string Name, string Value)> Options)
{
    public const string FileName = "shards.json";

    /// <summary>Records this run in <paramref name="folder"/>, or checks it against the one recorded there.</summary>
    public static void Join(string folder, ShardManifest mine)
    {
        var path = Path.Combine(folder, FileName);
        if (AtomicFile.TryCreate(path, mine.ToJson())) return;
        // Another shard recorded the run first: check against its record.
        var recorded = Read(path);
        mine.RequireSameRun(recorded, folder, $"this shard ({mine.Shards} shards)");
        if (recorded.Shards != mine.Shards)
            throw new RunConflictException($"--out {folder}: holds a run split into {recorded.Shards} shards, not {mine.Shards}; use the same N in every --shard I/N");
    }

    /// <summary>The manifest of <paramref name="folder"/>, or null when the folder holds no sharded run.</summary>
    public static ShardManifest? Find(string folder)
    {
        var path = Path.Combine(folder, FileName);
        return File.Exists(path) ? Read(path) : null;
    }

    /// <summary>Fails with the options that differ when <paramref name="recorded"/> is another run's.</summary>
    public void RequireSameRun(ShardManifest recorded, string folder, string what)
    {
        if (recorded.Run == Run) return;
        var theirs = recorded.Options.ToDictionary(o => o.Name, o => o.Value);
        var differing = Options.Where(o => !theirs.TryGetValue(o.Name, out var v) || v != o.Value)
            .Select(o => $"{o.Name} {(theirs.TryGetValue(o.Name, out var v) ? $"'{v}'" : "(absent)")} there, '{o.Value}' here").ToList();
        var detail = differing.Count > 0 ? string.Join("; ", differing) : "same options, but a different model, data or Concord version";
        throw new RunConflictException($"--out {folder}: holds the units of a different run than {what} ({detail}); use the same options or another --out");
    }

    private string ToJson() => new JsonObject
    {
        ["run"] = Run,
        ["shards"] = Shards,
        ["options"] = new JsonObject(Options.Select(o => KeyValuePair.Create(o.Name, (JsonNode?)JsonValue.Create(o.Value)))),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static ShardManifest Read(string path)
    {
        try
        {
            var json = JsonNode.Parse(InputFiles.ReadText(path, InputFiles.RecordJsonBytes, "a shard manifest"))!.AsObject();
            return new ShardManifest(json["run"]!.GetValue<string>(), json["shards"]!.GetValue<int>(),
                json["options"]!.AsObject().Select(p => (p.Key, p.Value!.GetValue<string>())).ToList());
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a Concord shard manifest ({e.GetType().Name.Replace("Exception", "")}); remove it only if no shard of this run has started");
        }
    }
}
