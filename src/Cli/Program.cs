using System.CommandLine;
using Concord.Cli;
using Concord.Cli.Commands;

var root = new RootCommand("Concord: when do Integrated Gradients and Activation Patching agree on GPT-2 circuits?");
root.Options.Add(CliRunner.Verbose);
root.Subcommands.Add(ModelCommands.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(DatasetsCommand.Create());
root.Subcommands.Add(Concord.Cli.Run.RunCommand.Create());
root.Subcommands.Add(DiffCommand.Create());
return await root.Parse(args).InvokeAsync();
