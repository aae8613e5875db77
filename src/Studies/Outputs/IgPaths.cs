using Concord.Methods.Attribution;
using Concord.Methods.Pipeline;
using Concord.Methods.Structure;

namespace Concord.Studies.Outputs;

/// <summary>IG's path profile of every kind IG scored (none when IG did not run or its units carry no path): IG is the headline pair's method with a completeness check.</summary>
public static class IgPaths
{
    public static IReadOnlyList<KindPath> Of(TaskAnalysis analysis, PipelineOptions pipeline) =>
        Headline.Checked(pipeline) is not null
            ? pipeline.Spaces.Select(k => PathProfile.Of(analysis.Result, k)).OfType<KindPath>().ToList()
            : [];
}
