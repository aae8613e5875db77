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

    /// <summary>
    /// Where a download lands before it enters the cache (<c>&lt;cache&gt;/.incoming/&lt;name&gt;</c>): each file
    /// arrives there whole and checked (<see cref="HubDownloader"/>), and the model's folder receives the files
    /// only when all of them have. An interrupted download (Ctrl-C, a dropped line) leaves the model's folder as it
    /// was, and its partial file here for the next run to resume.
    /// </summary>
    public string IncomingFor(string name) => Path.Combine(CacheRoot, IncomingFolder, name);

    public const string IncomingFolder = ".incoming";

    public async Task<string> DownloadAsync(string name, HubDownloader downloader, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        if (!KnownModels.TryGetValue(name, out var repo))
            throw new ModelFileException($"unknown model '{name}' (known: {string.Join(", ", KnownModels.Keys)})");
        RefuseCacheBelowAFile();
        string folder = FolderFor(name), incoming = IncomingFor(name);
        bool cacheExisted = Directory.Exists(CacheRoot);
        try
        {
            // A file already in the model's folder (copied there by hand) is the user's and is kept, but checked as a
            // download is: an older Concord kept whatever a server sent (a web page as config.json), and such a file
            // must be named rather than trusted, before anything is fetched.
            foreach (var file in Files.Where(f => File.Exists(Path.Combine(folder, f))))
                if (HubFiles.Problem(file, Path.Combine(folder, file)) is { } problem)
                    throw new ModelFileException($"{Path.Combine(folder, file)}: {problem}; it was in the cache before this download: delete it and run again");
            var missing = Files.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
            foreach (var file in missing)
            {
                string staged = Path.Combine(incoming, file);
                // A staged file was checked before it got its name: an earlier run stopped before the move into the cache.
                if (File.Exists(staged)) continue;
                await downloader.DownloadAsync(downloader.FileUrl(repo, file), staged, progress, ct);
            }
            ct.ThrowIfCancellationRequested();
            if (missing.Count > 0) Promote(incoming, folder, missing);
        }
        catch when (!Directory.Exists(incoming) || !Directory.EnumerateFiles(incoming, "*.part").Any())
        {
            // Refused, with nothing to resume: the files checked so far go too, so a failed download leaves the cache as it was.
            if (Directory.Exists(incoming))
                foreach (var file in Files) File.Delete(Path.Combine(incoming, file));
            throw;
        }
        finally
        {
            // A refused or finished download leaves no empty folder behind; a partial file to resume keeps its own.
            RemoveIfEmpty(incoming);
            RemoveIfEmpty(Path.Combine(CacheRoot, IncomingFolder));
            if (!cacheExisted) RemoveIfEmpty(CacheRoot);
        }
        Gpt2Config.Load(Path.Combine(folder, "config.json"));
        return folder;
    }

    private static void RemoveIfEmpty(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // another download just put something there: it is theirs
    }

    /// <summary>Moves the checked files into the model's folder: by one rename of the whole folder when it is new, so the cache holds the whole model or nothing of it.</summary>
    private static void Promote(string incoming, string folder, IReadOnlyList<string> files)
    {
        bool onlyTheseStaged = Directory.EnumerateFileSystemEntries(incoming).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .SequenceEqual(files.Order(StringComparer.Ordinal));
        if (!Directory.Exists(folder) && onlyTheseStaged)
            Directory.Move(incoming, folder);
        else
        {
            Directory.CreateDirectory(folder);
            foreach (var file in files) File.Move(Path.Combine(incoming, file), Path.Combine(folder, file), overwrite: false);
        }
    }
}
