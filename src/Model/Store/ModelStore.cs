namespace Concord.Model.Store;

/// <summary>
/// Resolves model names (<c>gpt2</c>, <c>gpt2-medium</c>, <c>distilgpt2</c>, ...) to folders in a
/// local cache and downloads them from the hub. The cache is <c>$CONCORD_MODEL_CACHE</c>, else
/// <c>~/.cache/concord/models</c>. A path to a folder with config.json and model.safetensors is
/// used as it is.
/// </summary>
public sealed class ModelStore(string? cacheRoot = null)
{
    public const string CacheVariable = "CONCORD_MODEL_CACHE";
    public static readonly string[] Files = ["config.json", "model.safetensors"];

    public static IReadOnlyDictionary<string, string> KnownModels { get; } = new Dictionary<string, string>
    {
        ["gpt2"] = "openai-community/gpt2",
        ["gpt2-medium"] = "openai-community/gpt2-medium",
        ["gpt2-large"] = "openai-community/gpt2-large",
        ["gpt2-xl"] = "openai-community/gpt2-xl",
        ["distilgpt2"] = "distilbert/distilgpt2",
    };

    public string CacheRoot { get; } = cacheRoot
        ?? (Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } v ? v
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "concord", "models"));

    /// <summary>Who chose <see cref="CacheRoot"/>, to name in an error about it.</summary>
    private string CacheOrigin => cacheRoot is null && Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } ? CacheVariable : "model cache";

    public string FolderFor(string name) => Path.Combine(CacheRoot, name);

    public static bool IsComplete(string folder) => Files.All(f => File.Exists(Path.Combine(folder, f)));

    /// <summary>True when <paramref name="name"/> is a folder holding a model, or a known name already in the cache.</summary>
    public bool TryResolve(string name, out string folder)
    {
        folder = name;
        if (Directory.Exists(name)) return IsComplete(name);
        folder = FolderFor(name);
        return KnownModels.ContainsKey(name) && IsComplete(folder);
    }

    /// <summary>True when a known model is in the cache; never looks at the working directory.</summary>
    public bool TryResolveCached(string name, out string folder)
    {
        folder = FolderFor(name);
        return KnownModels.ContainsKey(name) && IsComplete(folder);
    }

    public string Resolve(string name)
    {
        if (TryResolve(name, out var folder)) return folder;
        if (Directory.Exists(name))
            throw new ModelFileException($"{name}: folder has no {string.Join(" and ", Files.Where(f => !File.Exists(Path.Combine(name, f))))}");
        if (KnownModels.ContainsKey(name))
            // Said with the variable when it chose the cache: a mistyped CONCORD_MODEL_CACHE is then visible as the cause.
            throw new ModelFileException($"model '{name}' is not in the cache ({(CacheOrigin == CacheVariable ? $"{CacheVariable}: " : "")}{FolderFor(name)}): run `concord model download {name}`, or copy config.json and model.safetensors there");
        throw new ModelFileException($"'{name}' is neither a model folder nor a known model ({string.Join(", ", KnownModels.Keys)})");
    }

    /// <summary>A cache that is, or lies below, a file cannot be created, and one that is (or leads to) a system folder is refused: said of the setting that named it, before any download.</summary>
    private void RefuseCacheBelowAFile() => WritePolicy.Folder(CacheOrigin, CacheRoot);

    public async Task<string> DownloadAsync(string name, HubDownloader downloader, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        if (!KnownModels.TryGetValue(name, out var repo))
            throw new ModelFileException($"unknown model '{name}' (known: {string.Join(", ", KnownModels.Keys)})");
        RefuseCacheBelowAFile();
        string folder = FolderFor(name);
        foreach (var file in Files)
        {
            string destination = Path.Combine(folder, file);
            if (File.Exists(destination)) continue;
            await downloader.DownloadAsync(downloader.FileUrl(repo, file), destination, progress, ct);
        }
        Gpt2Config.Load(Path.Combine(folder, "config.json"));
        return folder;
    }
}
