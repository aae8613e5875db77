using Concord.Model;

namespace Concord.Tasks;

/// <summary>What the task definitions need besides their CSV: the tokenizer, the year tokens and the SVA verb list.</summary>
public sealed class TaskResources
{
    private readonly Lazy<YearTokens> _years;
    private readonly Lazy<SvaVerbs> _verbs;

    public Gpt2Tokenizer Tokenizer { get; }
    public string DatasetsFolder { get; }
    public YearTokens YearTokens => _years.Value;
    public SvaVerbs Verbs => _verbs.Value;

    /// <summary>The verb list SVA's metric sums over.</summary>
    public string SvaVerbsFile { get; }

    public TaskResources(string? datasetsFolder = null, Gpt2Tokenizer? tokenizer = null, string? svaVerbsFile = null)
    {
        Tokenizer = tokenizer ?? Gpt2Tokenizer.Instance;
        DatasetsFolder = datasetsFolder ?? ProjectPaths.Datasets;
        SvaVerbsFile = svaVerbsFile ?? Path.Combine(DatasetsFolder, "sva_verbs.csv");
        _years = new(() => new YearTokens(Tokenizer));
        _verbs = new(() => SvaVerbs.Load(SvaVerbsFile, Tokenizer));
    }

    /// <summary>Files besides its CSV whose content changes a task's metric (for content fingerprints and provenance).</summary>
    public IReadOnlyList<string> AuxiliaryFiles(TaskDescriptor task) => task.AuxiliaryFiles(this);

    /// <summary>The task's data file: its file name in the datasets folder (a path of the user's stays as it is when absolute).</summary>
    public string DefaultFile(TaskDescriptor task) => Path.Combine(DatasetsFolder, task.FileName);
}
