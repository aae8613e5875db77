using Concord.Methods.Attribution;
using Concord.Methods.Pipeline;

namespace Concord.Studies.Outputs;

/// <summary>
/// The research question as the outputs name it: the first pair the study's catalogue compares
/// (IG↔AP in the built-in one), and the method of that pair whose completeness the tables show. The
/// outputs ask this instead of naming methods, so a catalogue of other methods is reported as its own.
/// </summary>
public static class Headline
{
    /// <summary>The first pair compared among the study's methods; null when it compares none.</summary>
    public static (Method First, Method Second)? Pair(PipelineOptions pipeline) =>
        pipeline.MethodCatalogue.Pairs(pipeline.Methods) is { Count: > 0 } pairs ? pairs[0] : null;

    /// <summary>The headline pair's method that reports a completeness check (IG); null when neither does.</summary>
    public static Method? Checked(PipelineOptions pipeline) =>
        Pair(pipeline) is { } pair ? new[] { pair.First, pair.Second }.FirstOrDefault(m => m.HasCompleteness) : null;

    /// <summary>The largest completeness error of <paramref name="method"/> on <paramref name="space"/> over layers; NaN when it has none.</summary>
    public static double CompletenessError(TaskAnalysis analysis, Method? method, Methods.Targets.TargetSpace space) =>
        analysis.Convergence.Where(c => c.Kind == space && c.Method == method).Select(c => c.MaxAbsDelta).DefaultIfEmpty(double.NaN).Max();
}
