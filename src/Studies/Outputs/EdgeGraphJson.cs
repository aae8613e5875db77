using System.Text.Json;
using Concord.Methods.Attribution;
using Concord.Methods.Edges;
using Concord.Model;
using Concord.Model.Edges;

namespace Concord.Studies.Outputs;

/// <summary>
/// A circuit as hannamw/EAP-IG's <c>Graph.to_json</c> writes it, so <c>Graph.from_json</c> (and MIB's
/// circuit track) load it: <c>{"cfg": {...}, "nodes": {name: {"in_graph"}}, "edges": {name: {"score", "in_graph"}}}</c>.
/// cfg carries what <c>Graph.from_model</c> reads (n_layers, n_heads, parallel_attn_mlp, d_model) and
/// the score's sign convention, which EAP-IG's files leave implicit. Edges are written in the order
/// EAP-IG builds them, so a file compares line for line with one EAP-IG wrote.
/// </summary>
public static class EdgeGraphJson
{
    /// <summary>What a score means, written into cfg: Concord's edge scores estimate the metric's change when the edge moves.</summary>
    public static string ScoreSign(Direction direction) => direction == Direction.Noising
        ? "F(edge's sender moved to z̃) − F(base), F the task metric, mean over prompts; noising: base = the clean run, z̃ from the corrupted run"
        : "F(edge's sender moved to z̃) − F(base), F the task metric, mean over prompts; denoising: base = the corrupted run, z̃ from the clean run";

    /// <param name="scores">Each edge's prompt-mean score, in graph order.</param>
    public static void Write(string path, EdgeCircuit circuit, IReadOnlyList<double> scores, Gpt2Config config, Direction direction,
        string? task = null, string? method = null) =>
        AtomicFile.Write(path, stream => Write(stream, circuit, scores, config, direction, task, method));

    public static void Write(Stream stream, EdgeCircuit circuit, IReadOnlyList<double> scores, Gpt2Config config, Direction direction,
        string? task = null, string? method = null)
    {
        var graph = circuit.Graph;
        if (config.NLayer != graph.Layers || config.NHead != graph.Heads)
            throw new ArgumentException($"a {config.NLayer}-layer, {config.NHead}-head model for a {graph.Layers}-layer, {graph.Heads}-head graph", nameof(config));
        if (scores.Count != graph.EdgeCount) throw new ArgumentException($"{scores.Count} scores for {graph.EdgeCount} edges", nameof(scores));
        int nonFinite = Enumerable.Range(0, scores.Count).FirstOrDefault(e => !double.IsFinite(scores[e]), -1);
        if (nonFinite >= 0) throw new ArgumentException($"edge {graph[nonFinite].Name} has score {scores[nonFinite]}: JSON has no non-finite numbers", nameof(scores));

        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteStartObject("cfg");
        json.WriteNumber("n_layers", graph.Layers);
        json.WriteNumber("n_heads", graph.Heads);
        json.WriteBoolean("parallel_attn_mlp", false);
        json.WriteNumber("d_model", config.NEmbd);
        json.WriteString("score_sign", ScoreSign(direction));
        json.WriteString("direction", direction.Id());
        if (task is not null) json.WriteString("task", task);
        if (method is not null) json.WriteString("method", method);
        json.WriteEndObject();

        json.WriteStartObject("nodes");
        var names = CircuitNodes.Names(graph);
        for (int n = 0; n < names.Count; n++)
        {
            json.WriteStartObject(names[n]);
            json.WriteBoolean("in_graph", circuit.NodesInGraph[n]);
            json.WriteEndObject();
        }
        json.WriteEndObject();

        json.WriteStartObject("edges");
        foreach (int e in EapIgOrder(graph))
        {
            json.WriteStartObject(graph[e].Name);
            // Utf8JsonWriter writes a double in its shortest round-trip form (what "R" gives), culture-free.
            json.WriteNumber("score", scores[e]);
            json.WriteBoolean("in_graph", circuit.InGraph[e]);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Edge indices in the order EAP-IG's <c>Graph.from_model</c> adds them: per layer every upstream
    /// sender into each head's q, k, v, then every upstream sender (this layer's heads too) into the
    /// MLP; last every sender into the logits.
    /// </summary>
    public static IEnumerable<int> EapIgOrder(EdgeGraph graph)
    {
        for (int l = 0; l < graph.Layers; l++)
        {
            for (int s = 0; s < graph.FirstSenderOfLayer(l); s++)
                for (int h = 0; h < graph.Heads; h++)
                    foreach (var input in new[] { ReceiverInput.Q, ReceiverInput.K, ReceiverInput.V })
                        yield return graph.EdgeIndex(s, graph.ReceiverIndex(new Receiver(ReceiverKind.Head, l, h, input)));
            int mlp = graph.ReceiverIndex(new Receiver(ReceiverKind.Mlp, l));
            for (int s = 0; s < graph.SendersInto(mlp); s++) yield return graph.EdgeIndex(s, mlp);
        }
        int logits = graph.Receivers.Count - 1;
        for (int s = 0; s < graph.Senders.Count; s++) yield return graph.EdgeIndex(s, logits);
    }

    /// <summary>Reads a file in EAP-IG's layout; edges it does not list have score 0 and are out of the graph, as <c>Graph.from_json</c> leaves them.</summary>
    public static EdgeGraphFile Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        foreach (var key in new[] { "cfg", "nodes", "edges" })
            if (!root.TryGetProperty(key, out _)) throw new InvalidDataException($"{path}: no '{key}' (an EAP-IG graph file has cfg, nodes and edges)");
        var cfg = root.GetProperty("cfg");
        var graph = new EdgeGraph(cfg.GetProperty("n_layers").GetInt32(), cfg.GetProperty("n_heads").GetInt32());
        string? Text(string key) => cfg.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var scores = new double[graph.EdgeCount];
        var inGraph = new bool[graph.EdgeCount];
        foreach (var edge in root.GetProperty("edges").EnumerateObject())
        {
            int e = graph.EdgeIndex(edge.Name);
            scores[e] = edge.Value.GetProperty("score").GetDouble();
            inGraph[e] = edge.Value.GetProperty("in_graph").GetBoolean();
        }
        var nodes = root.GetProperty("nodes").EnumerateObject().ToDictionary(n => n.Name, n => n.Value.GetProperty("in_graph").GetBoolean());
        return new EdgeGraphFile(graph, cfg.GetProperty("d_model").GetInt32(), Text("score_sign"), Text("task"), Text("method"), scores, inGraph, nodes);
    }
}

/// <summary>An EAP-IG graph file read back: the graph it describes, every edge's score and membership in graph order, and each node's.</summary>
public sealed record EdgeGraphFile(EdgeGraph Graph, int DModel, string? ScoreSign, string? Task, string? Method,
    double[] Scores, bool[] InGraph, IReadOnlyDictionary<string, bool> Nodes)
{
    public int EdgeCount => InGraph.Count(kept => kept);
}
