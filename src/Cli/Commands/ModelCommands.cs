using Concord.Tasks.Models;
using System.CommandLine;
using Concord.Model;
using Concord.Model.Store;

namespace Concord.Cli.Commands;

public static class ModelCommands
{
    public static Command Create()
    {
        var model = new Command("model", "Inspect, download, create, train and evaluate GPT-2 models");
        model.Subcommands.Add(Info());
        model.Subcommands.Add(Download());
        model.Subcommands.Add(CreateRandom());
        model.Subcommands.Add(ModelTrainCommand.Create());
        model.Subcommands.Add(ModelEvalCommand.Create());
        return StrictNumbers.Enforce(model);
    }

    private static Command Info()
    {
        var name = new Argument<string>("model") { Description = "A model folder, a known name in the cache (gpt2, gpt2-medium, ...), or concord-tasks-small" };
        var command = new Command("info", "Show a model's config, size and where it lives") { name };
        command.SetGuardedAction(parse =>
        {
            var folder = ModelResolver.Folder(parse.GetValue(name)!);
            var config = Gpt2Config.Load(Path.Combine(folder, "config.json"));
            var file = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
            var dtypes = file.Entries.Values.GroupBy(e => e.DType).Select(g => $"{g.Key.Name()}×{g.Count()}");
            Console.WriteLine($"folder        {Path.GetFullPath(folder)}");
            Console.WriteLine($"layers        {config.NLayer}");
            Console.WriteLine($"heads         {config.NHead} (d_head {config.DHead})");
            Console.WriteLine($"d_model       {config.NEmbd}");
            Console.WriteLine($"d_mlp         {config.DMlp}");
            Console.WriteLine($"positions     {config.NPositions}");
            Console.WriteLine($"vocabulary    {config.VocabSize}");
            Console.WriteLine($"parameters    {config.ParameterCount:N0}");
            Console.WriteLine($"tensors       {file.Entries.Count} ({string.Join(", ", dtypes)})");
            if (file.Metadata.TryGetValue("concord_seed", out var seed)) Console.WriteLine($"random model  seed {seed} (results on it say nothing about GPT-2)");
            if (Tasks.Training.TrainingRecord.TryRead(folder) is { } record)
                Console.WriteLine($"trained       by Concord ({record.Preset}, {record.Steps:N0} steps, seed {record.Seed}, {record.TrainedTokens.Count:N0} tokens seen); not GPT-2 — see MODEL_CARD.md and eval.json");
            return 0;
        });
        return command;
    }

    private static Command Download()
    {
        var name = new Argument<string>("name") { Description = $"One of: {string.Join(", ", ModelStore.KnownModels.Keys)}" };
        var cache = new Option<string?>("--cache") { Description = $"Cache folder (default ${ModelStore.CacheVariable} or ~/.cache/concord/models)" };
        var endpoint = new Option<string?>("--endpoint") { Description = $"Hub address (default ${HubDownloader.EndpointVariable} or {HubDownloader.DefaultEndpoint})" };
        var command = new Command("download", "Download config.json and model.safetensors from the Hugging Face hub (resumable, checksummed)") { name, cache, endpoint };
        command.SetGuardedAction(async (parse, ct) =>
        {
            if (parse.GetValue(cache) is { } given) WritePolicy.Folder(cache.Name, given);
            var store = new ModelStore(parse.GetValue(cache));
            using var downloader = new HubDownloader(parse.GetValue(endpoint) is { } e ? HubDownloader.ParseEndpoint(e, endpoint.Name) : null);
            var progress = new ConsoleProgress();
            var folder = await store.DownloadAsync(parse.GetValue(name)!, downloader, progress, ct);
            progress.Finish();
            Console.WriteLine($"{parse.GetValue(name)} is in {folder}");
            return 0;
        });
        return command;
    }

    private static Command CreateRandom()
    {
        var output = new Option<string>("--out") { Description = "Folder to write config.json and model.safetensors into", Required = true };
        var preset = new Option<string>("--preset") { Description = "tiny (2 layers, 4 heads, d 64) or gpt2-small (GPT-2 small's shape)", DefaultValueFactory = _ => "tiny" };
        var layers = new Option<int?>("--layers") { Description = "Number of blocks (overrides the preset)" };
        var heads = new Option<int?>("--heads") { Description = "Attention heads per block" };
        var dModel = new Option<int?>("--d-model") { Description = "Residual width (a multiple of --heads)" };
        var vocab = new Option<int?>("--vocab") { Description = "Vocabulary size (50257 to use GPT-2's tokenizer)" };
        var positions = new Option<int?>("--positions") { Description = "Context length" };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed gives the same model on every machine", DefaultValueFactory = _ => 0 };
        var std = new Option<double>("--std") { Description = "Standard deviation of weight matrices", DefaultValueFactory = _ => 0.02 };
        var force = new Option<bool>(WritePolicy.ForceFlag) { Description = "Replace a config.json or model.safetensors already in --out" };
        var command = new Command("create-random", "Create a seeded random GPT-2 of any shape") { output, preset, layers, heads, dModel, vocab, positions, seed, std, force };
        command.SetGuardedAction((parse, ct) => Task.Run(() =>
        {
            var basis = parse.GetValue(preset) switch
            {
                "tiny" => new Gpt2Config(2, 4, 64, 128, Gpt2Tokenizer.VocabularySize),
                "gpt2-small" => Gpt2Config.Gpt2Small,
                var other => throw new ArgumentException($"{preset.Name}: unknown preset '{other}' (tiny, gpt2-small)"),
            };
            var config = basis with
            {
                NLayer = parse.GetValue(layers) ?? basis.NLayer,
                NHead = parse.GetValue(heads) ?? basis.NHead,
                NEmbd = parse.GetValue(dModel) ?? basis.NEmbd,
                VocabSize = parse.GetValue(vocab) ?? basis.VocabSize,
                NPositions = parse.GetValue(positions) ?? basis.NPositions,
            };
            RequireShape(config);
            string folder = parse.GetValue(output)!;
            WritePolicy.Folder(output.Name, folder);
            WritePolicy.RefuseReplacing(output.Name, folder, ModelStore.Files, parse.GetValue(force));
            if (!(parse.GetValue(std) > 0 && double.IsFinite(parse.GetValue(std))))
                throw new ArgumentException($"--std must be a positive number (got {parse.GetValue(std)})");
            RequireMemory(config);
            bool existed = Directory.Exists(folder);
            var before = ModelStore.Files.Where(f => File.Exists(Path.Combine(folder, f))).ToHashSet();
            try
            {
                RandomGpt2.Save(folder, config, parse.GetValue(seed), parse.GetValue(std), cancel: ct);
            }
            catch
            {
                // Interrupted or failed (a full disk): no half-made model is left behind; a file there before (--force) is kept.
                DeleteCreated(folder, ModelStore.Files.Where(f => !before.Contains(f)), removeFolder: !existed);
                throw;
            }
            Console.WriteLine($"wrote a random GPT-2 ({config.NLayer} layers, {config.NHead} heads, d_model {config.NEmbd}, {config.ParameterCount:N0} parameters, seed {parse.GetValue(seed)}) to {folder}");
            return 0;
        }, ct));
        return command;
    }

    /// <summary>The shape's options checked by their flags (the config's own check names config.json keys).</summary>
    private static void RequireShape(Gpt2Config config)
    {
        foreach (var (flag, value) in new[] { ("--layers", config.NLayer), ("--heads", config.NHead), ("--d-model", config.NEmbd), ("--vocab", config.VocabSize), ("--positions", config.NPositions) })
            if (value < 1) throw new ArgumentException($"{flag} must be at least 1 (got {value})");
        if (config.NEmbd % config.NHead != 0)
            throw new ArgumentException($"--d-model {config.NEmbd} is not divisible by --heads {config.NHead} (each head gets d_model / heads dimensions)");
        var (largest, _) = RandomGpt2.Size(config);
        if (largest > Array.MaxLength)
            throw new ArgumentException($"--d-model {config.NEmbd}: one weight matrix would hold {largest:0.###e0} numbers, more than one array can ({Array.MaxLength:N0})");
        config.Validate("options");
    }

    /// <summary>Refuses, before allocating, a model larger than the memory this machine has free now.</summary>
    private static void RequireMemory(Gpt2Config config)
    {
        var (_, peak) = RandomGpt2.Size(config);
        long available = MachineMemory.AvailableBytes();
        if (peak > available)
            throw new ArgumentException($"a random GPT-2 of {config.NLayer} layers, d_model {config.NEmbd} ({config.ParameterCount:N0} parameters) needs about {MachineMemory.Describe(peak)} of memory to create; " +
                                        $"this machine has {MachineMemory.Describe(available)} free (choose fewer --layers or a smaller --d-model)");
    }

    private static void DeleteCreated(string folder, IEnumerable<string> created, bool removeFolder)
    {
        foreach (var file in created.Select(f => Path.Combine(folder, f)).Where(File.Exists)) File.Delete(file);
        if (removeFolder && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }
}
