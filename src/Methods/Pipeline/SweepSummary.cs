using Concord.Methods.Agreement;
using Concord.Methods.Components;

namespace Concord.Methods.Pipeline;

/// <summary>Agreement of the three pairs at one sweep scale s for one component kind.</summary>
public sealed record SweepSummary(ComponentKind Kind, double Scale, PairAgreement IgAp, PairAgreement ApAtp, PairAgreement IgAtp);
