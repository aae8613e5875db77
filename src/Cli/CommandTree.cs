using System.CommandLine;
using Concord.Cli.Commands;

namespace Concord.Cli;

/// <summary>The whole command line, built in one place so that tests can walk the same tree the program parses with.</summary>
public static class CommandTree
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Concord: when do Integrated Gradients and Activation Patching agree on GPT-2 circuits?");
        root.Options.Add(CliRunner.Verbose);
        root.Subcommands.Add(ModelCommands.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(DatasetsCommand.Create());
        root.Subcommands.Add(Run.RunCommand.Create());
        root.Subcommands.Add(DiffCommand.Create());
        return BlankValues.Enforce(StrictNumbers.Enforce(root));
    }

    /// <summary>
    /// How the program parses: without response files. System.CommandLine reads `@file` arguments as
    /// more arguments by default, and a file that names itself recursed until the stack overflowed
    /// (exit 134, no message); Concord documents no such feature, so `@x` is an ordinary argument.
    /// </summary>
    public static ParserConfiguration Parsing { get; } = new() { ResponseFileTokenReplacer = null };
}
