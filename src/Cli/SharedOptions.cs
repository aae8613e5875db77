using System.CommandLine;
using Concord.Tasks;

namespace Concord.Cli;

/// <summary>Options several commands take, declared once so that their names, defaults and help agree.</summary>
public static class SharedOptions
{
    public static readonly Option<string> Tasks = new("--task") { Description = $"{string.Join(", ", TaskDescriptor.BuiltIn.Select(t => t.Id()))}, a comma-separated list, or all", DefaultValueFactory = _ => "all" };
    public static readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
    public static readonly Option<bool> Float64 = new("--float64") { Description = "Run the model in float64" };
    public static readonly Option<bool> DropInvalid = new("--drop-invalid") { Description = "Skip rows whose clean and corrupted prompts differ in token length, and count them" };
    public static readonly Option<string> IoiCorruption = new("--ioi-corruption") { Description = "io (corrupted_hard, as the original notebook) or third-name (corrupted)", DefaultValueFactory = _ => "io" };

    /// <summary>The tasks of <see cref="Tasks"/>; an unknown or empty list is refused in one line naming --task.</summary>
    /// <summary>The trained-on tasks named by --task (model eval, datasets).</summary>
    public static IReadOnlyList<TaskKind> ParseTasks(ParseResult parse) => OfFlag(Tasks.Name, () => TaskKinds.ParseList(parse.GetValue(Tasks)!));

    /// <summary>The built-in tasks named by --task (run: any shipped task, trained on or not).</summary>
    public static IReadOnlyList<TaskDescriptor> ParseStudyTasks(ParseResult parse) => OfFlag(Tasks.Name, () => TaskDescriptor.ParseList(parse.GetValue(Tasks)!));

    /// <summary>A parse that fails with the flag's name in its one line: the library names values, not the options that carried them.</summary>
    public static T OfFlag<T>(string flag, Func<T> parse)
    {
        try { return parse(); }
        catch (ArgumentException e) when (e is not ArgumentNullException) { throw new ArgumentException($"{flag}: {e.Message}", e); }
    }

    /// <summary>The task options of <see cref="DropInvalid"/> and <see cref="IoiCorruption"/>.</summary>
    public static TaskOptions ParseTaskOptions(ParseResult parse) => new()
    {
        DropInvalid = parse.GetValue(DropInvalid),
        IoiCorruption = OfFlag(IoiCorruption.Name, () => IoiCorruptions.Parse(parse.GetValue(IoiCorruption)!)),
    };
}
