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
// On Ctrl-C the running command gets time to finish its current unit of work and say so; finished
// work is already on disk, written atomically.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
