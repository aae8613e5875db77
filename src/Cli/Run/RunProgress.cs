using Concord.Methods.Pipeline;
using Spectre.Console;

namespace Concord.Cli.Run;

/// <summary>
/// Progress of a run: Spectre.Console bars per task (unit being computed, percentage, time left)
/// on a terminal; plain lines, at most every few seconds, when the output is redirected.
/// </summary>
public static class RunProgress
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with a progress reporter suited to the console.</summary>
    public static void Run(IReadOnlyList<string> tasks, Action<IProgress<PipelineProgress>> work)
    {
        if (!Interactive)
        {
            work(new PlainProgress());
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var bars = tasks.ToDictionary(t => t, t => context.AddTask(t, autoStart: false));
                work(new SpectreProgress(bars));
            });
    }

    private sealed class SpectreProgress(Dictionary<string, ProgressTask> bars) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress p)
        {
            if (!bars.TryGetValue(p.Task, out var bar)) return;
            if (!bar.IsStarted) bar.StartTask();
            bar.MaxValue = p.Total;
            bar.Value = p.Done;
            bar.Description = $"{p.Task} [grey]{Markup.Escape(p.Current)}[/]";
            if (p.Done >= p.Total) bar.StopTask();
        }
    }

    private sealed class PlainProgress : IProgress<PipelineProgress>
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private DateTime _last = DateTime.MinValue;
        private string _task = "";
        private TimeSpan _start;

        public void Report(PipelineProgress p)
        {
            if (p.Task != _task) { _task = p.Task; _start = _clock.Elapsed; _last = DateTime.MinValue; }
            bool finished = p.Done >= p.Total && p.Stage == PipelineStage.BatchDone;
            if (!finished && DateTime.UtcNow - _last < TimeSpan.FromSeconds(5)) return;
            _last = DateTime.UtcNow;
            var elapsed = _clock.Elapsed - _start;
            string eta = p.Done > 0 && !finished ? $", about {TimeSpan.FromSeconds(elapsed.TotalSeconds / p.Done * (p.Total - p.Done)):mm\\:ss} left" : "";
            Console.WriteLine($"{p.Task,-16} {p.Done,4}/{p.Total,-4} ({100.0 * p.Done / Math.Max(1, p.Total):F0}%) {p.Current}{eta}");
        }
    }
}
