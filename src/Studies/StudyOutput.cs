namespace Concord.Studies;

/// <summary>
/// Where and how a study's outputs go: the folder (its task folders, units and files), how messages
/// name it, and the caller's own record of how the study was asked for. Every exporter and the
/// folder protocol take this and the <see cref="Study"/>, never a caller's type.
/// </summary>
/// <param name="Folder">The output folder; created when the run starts, after every input has been checked.</param>
public sealed record StudyOutput(string Folder)
{
    /// <summary>How messages name the folder: the CLI says "--out"; a library caller gets "output folder".</summary>
    public string Name { get; init; } = "output folder";

    /// <summary>
    /// The request as its caller states it (the CLI: every option with the value it had), recorded in
    /// run.json and in shards.json, where a shard or merge of another request is told which differ.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Request { get; init; } = [];

    /// <summary>Delete the stored units of every task first and compute them anew.</summary>
    public bool Fresh { get; init; }

    /// <summary>
    /// Replace files of the names a run writes in a folder no run made (by default such a folder is refused:
    /// <see cref="Storage.OutputFolder.Check"/>).
    /// </summary>
    public bool Force { get; init; }
}
