using System.CommandLine;

namespace Concord.Cli;

/// <summary>
/// A text option or argument given nothing but whitespace (<c>--data ''</c>, <c>--rule ' '</c>, <c>diff '' NEW</c>) is
/// refused at parse time in one line naming it. Before, such a value reached the file system or a library
/// parser, which said "error:  : file not found", "the path is empty" or "unknown quadrature rule ''"
/// without the option. Applied to the whole tree, so an option added later is covered; the options listed
/// in <see cref="OwnMessage"/> say more about a blank value themselves (the valid ids, what "none" means).
/// </summary>
public static class BlankValues
{
    /// <summary>Options whose own parsing names a blank value with more help, and --prompt, where an empty prompt is the BOS token alone.</summary>
    public static readonly IReadOnlySet<string> OwnMessage = new HashSet<string>(StringComparer.Ordinal)
    {
        "--prompt", "--task", "--methods", "--components", "--sweep", "--verify", "--steps", "--direction", "--device", "--shard", "--endpoint",
    };

    /// <summary>Symbols already given the check: options shared by several commands, or by every tree built (one per parse in tests), get it once.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Symbol, object> Checked = [];

    public static T Enforce<T>(T command) where T : Command
    {
        foreach (var option in command.Options.Where(o => (o.ValueType == typeof(string)) && !OwnMessage.Contains(o.Name) && Checked.TryAdd(o, Checked)))
        {
            string name = option.Name;
            option.Validators.Add(result =>
            {
                if (result.Tokens.Count == 1 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
                    result.AddError(Message(name, result.Tokens[0].Value));
            });
        }
        foreach (var argument in command.Arguments.Where(a => a.ValueType == typeof(string) && Checked.TryAdd(a, Checked)))
        {
            string name = $"<{argument.Name}>";
            argument.Validators.Add(result =>
            {
                if (result.Tokens.Count == 1 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
                    result.AddError(Message(name, result.Tokens[0].Value));
            });
        }
        foreach (var subcommand in command.Subcommands) Enforce(subcommand);
        return command;
    }

    private static string Message(string name, string value) => $"{name} '{StrictNumbers.Shown(value)}': no value given";
}
