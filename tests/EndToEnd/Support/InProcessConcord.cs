using System.Globalization;
using Concord.Cli;

namespace Concord.Tests.EndToEnd.Support;

/// <summary>
/// `concord` called in this process (<see cref="CliProgram.InvokeAsync"/>, what Program.cs runs), with
/// stdout and stderr captured, the current folder set to <paramref name="workingFolder"/> and environment
/// variables changed for the one call: milliseconds per command line where a process takes a second, so a
/// generated suite can try hundreds. Console, the current folder and the environment belong to the process,
/// so calls are serialised; what a process adds (Ctrl-C, the stdout wrapper, the BLAS mode at start-up) is
/// not exercised here.
/// </summary>
public static class InProcessConcord
{
    private static readonly object Gate = new();

    public sealed record Result(int Code, string Out, string Error, bool TimedOut);

    public static Result Run(string[] args, string workingFolder, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        lock (Gate)
        {
            TextWriter console = Console.Out, consoleError = Console.Error;
            var culture = CultureInfo.CurrentCulture;
            string folder = Environment.CurrentDirectory;
            var saved = (environment ?? new Dictionary<string, string?>()).Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
            // Not disposed: a console library may keep the writer it first saw (Spectre's AnsiConsole does) and
            // write to it in a later call, which a disposed StringWriter would turn into an error of the test's making.
            var output = new StringWriter(CultureInfo.InvariantCulture);
            var error = new StringWriter(CultureInfo.InvariantCulture);
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) Environment.SetEnvironmentVariable(name, value);
                Environment.CurrentDirectory = workingFolder;
                CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
                Console.SetOut(TextWriter.Synchronized(output));
                Console.SetError(TextWriter.Synchronized(error));
                int code;
                try { code = Task.Run(() => CliProgram.InvokeAsync(args, cancel.Token)).GetAwaiter().GetResult(); }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested) { code = 130; }
                return new Result(code, output.ToString(), error.ToString(), cancel.IsCancellationRequested);
            }
            finally
            {
                Console.SetOut(console);
                Console.SetError(consoleError);
                CultureInfo.CurrentCulture = culture;
                Environment.CurrentDirectory = folder;
                foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
