using System.Text.Json;
using System.Text.Json.Nodes;

namespace Concord.Model;

/// <summary>
/// The hyper-parameters of a GPT-2, read from a Hugging Face <c>config.json</c>.
/// Any size works: gpt2, -medium, -large, -xl, distilgpt2 and tiny test configs.
/// </summary>
public sealed record Gpt2Config(
    int NLayer,
    int NHead,
    int NEmbd,
    int NPositions,
    int VocabSize,
    double LayerNormEpsilon = 1e-5,
    int? NInner = null,
    string ActivationFunction = "gelu_new")
{
    public int DHead => NEmbd / NHead;
    public int DMlp => NInner ?? 4 * NEmbd;

    /// <summary>GPT-2 small as published by OpenAI.</summary>
    public static Gpt2Config Gpt2Small { get; } = new(12, 12, 768, 1024, 50257);

    public void Validate(string source = "config")
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new ModelFileException($"{source}: {what}");
        }
        Require(NLayer > 0, $"n_layer must be positive (got {NLayer})");
        Require(NHead > 0, $"n_head must be positive (got {NHead})");
        Require(NEmbd > 0 && NEmbd % NHead == 0, $"n_embd ({NEmbd}) must be a positive multiple of n_head ({NHead})");
        // d_mlp is 4·n_embd in int: beyond this it would wrap around.
        Require(NEmbd <= int.MaxValue / 4, $"n_embd ({NEmbd}) is larger than any GPT-2 can be (at most {int.MaxValue / 4})");
        Require(NPositions > 0, $"n_positions must be positive (got {NPositions})");
        Require(VocabSize > 0, $"vocab_size must be positive (got {VocabSize})");
        Require(LayerNormEpsilon > 0 && double.IsFinite(LayerNormEpsilon), $"layer_norm_epsilon must be positive (got {LayerNormEpsilon})");
        Require(DMlp > 0, $"n_inner must be positive (got {DMlp})");
        Require(ActivationFunction is "gelu_new" or "gelu_pytorch_tanh",
            $"activation_function '{ActivationFunction}' is not supported (GPT-2 uses gelu_new)");
    }

    public static Gpt2Config Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFileException($"{path}: config file not found");
        JsonNode? root;
        var text = InputFiles.ReadText(path, InputFiles.ConfigJsonBytes, "a config.json");
        try { root = JsonNode.Parse(text); }
        catch (JsonException e) { throw new ModelFileException($"{path}: {JsonProblem(text, e)}"); }
        if (root is not JsonObject o) throw new ModelFileException($"{path}: expected a JSON object");

        int Int(string key, params string[] aliases)
        {
            foreach (var k in aliases.Prepend(key))
                if (o[k] is JsonValue v && v.TryGetValue(out int i)) return i;
            throw new ModelFileException($"{path}: missing or non-integer '{key}'");
        }
        double eps = o["layer_norm_epsilon"] is JsonValue e2 && e2.TryGetValue(out double d) ? d : 1e-5;
        int? inner = o["n_inner"] is JsonValue ni && ni.TryGetValue(out int n) ? n : null;
        string act = o["activation_function"] is JsonValue a && a.TryGetValue(out string? s) && s is not null ? s : "gelu_new";
        var config = new Gpt2Config(
            Int("n_layer", "num_hidden_layers"), Int("n_head", "num_attention_heads"), Int("n_embd", "hidden_size"),
            Int("n_positions", "n_ctx", "max_position_embeddings"), Int("vocab_size"), eps, inner, act);
        config.Validate(path);
        return config;
    }

    /// <summary>Where and why a config.json is not JSON, in a reader's terms (not the parser's): the two usual slips named.</summary>
    private static string JsonProblem(string text, JsonException e)
    {
        long line = (e.LineNumber ?? 0) + 1, column = (e.BytePositionInLine ?? 0) + 1;
        var lines = text.Split('\n');
        string at = line - 1 < lines.Length ? lines[line - 1] : "";
        char found = column - 1 < at.Length ? at[(int)column - 1] : '\0';
        string before = string.Join('\n', lines.Take((int)line - 1).Append(at[..(int)Math.Min(column - 1, at.Length)])).TrimEnd();
        string why = found == '/' || found == '#' ? "a comment; JSON has none"
            : (found is '}' or ']') && before.EndsWith(',') ? "a trailing comma before the closing bracket; JSON allows none"
            : text.Trim().Length == 0 ? "the file is empty"
            : found == '\0' ? "the file ends before the JSON does"
            : $"unexpected '{found}'";
        return $"not valid JSON at line {line}, column {column} ({why})";
    }

    public void Save(string path)
    {
        var o = new JsonObject
        {
            ["model_type"] = "gpt2",
            ["architectures"] = new JsonArray("GPT2LMHeadModel"),
            ["n_layer"] = NLayer,
            ["n_head"] = NHead,
            ["n_embd"] = NEmbd,
            ["n_positions"] = NPositions,
            ["n_ctx"] = NPositions,
            ["vocab_size"] = VocabSize,
            ["layer_norm_epsilon"] = LayerNormEpsilon,
            ["activation_function"] = ActivationFunction,
        };
        if (NInner is int inner) o["n_inner"] = inner;
        AtomicFile.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    public long ParameterCount =>
        (long)VocabSize * NEmbd + (long)NPositions * NEmbd + 2L * NEmbd
        + NLayer * (4L * NEmbd + 4L * NEmbd * NEmbd + 4L * NEmbd + 2L * NEmbd * DMlp + DMlp + NEmbd);
}
