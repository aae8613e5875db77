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
        return StrictNumbers.Enforce(root);
    }
}
