using Concord.Methods.Targets;
using Concord.Methods.Results;

namespace Concord.Methods.Attribution;

/// <summary>
/// The one shape every attribution method has: given the cached runs of a batch (model, clean and
/// corrupted tokens, metric) and a component kind, the scores of every layer with the method's own
/// diagnostics. AP, IG, AtP and the naive reference implement it, and so can a new method.
/// </summary>
public interface IAttributionMethod
{
    Method Method { get; }

    MethodResult Attribute(AttributionContext context, TargetSpace kind);
}
