using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Methods.Interventions;

/// <summary>
/// The base run with every component of a set replaced at once (<see cref="Ablation"/>): m(S), and
/// the effect E(S) = m(S) − m(∅). Rows (prompt, set) are stacked along the batch like AP's patches,
/// chunked to the memory budget, and each chunk runs from the earliest hook its sets touch; later
/// layers are replaced through hooks on the same run. Every member of a set is masked into one
/// boolean mask per layer, so no member can be lost (the original study's hook loop bound only the
/// last member of each set). Under resample the replaced values equal the base run's before the
/// first differing token, so only later positions are computed (prefix reuse).
/// </summary>
public static class Intervention
{
    /// <summary>m(S) of each row's prompt with its set replaced; an empty set is the base run's metric (no run).</summary>
    /// <param name="means">The component means mean ablation puts in (required for <see cref="Ablation.Mean"/>).</param>
    public static double[] Metrics(AttributionContext context, TargetSpace kind, IReadOnlyList<InterventionRow> rows, Ablation ablation,
        ComponentMeans? means = null)
    {
        if (kind == TargetSpace.HeadOutput) throw new ArgumentException("interventions replace heads at hook_z: use the head kind", nameof(kind));
        if (ablation == Ablation.Mean && means is null && rows.Any(r => r.Set.Count > 0)) throw new ArgumentNullException(nameof(means), "mean ablation needs the component means");
        if (means is not null && means.Kind != kind) throw new ArgumentException($"means of {means.Kind.Id()} for {kind.Id()} components", nameof(means));
        var layout = new ComponentLayout(kind, context.Model.Config);
        foreach (var row in rows)
        {
            if (row.Prompt < 0 || row.Prompt >= context.Batch) throw new ArgumentOutOfRangeException(nameof(rows), row.Prompt, $"the batch has prompts 0..{context.Batch - 1}");
            foreach (var c in row.Set)
                if (c.Space != kind || c.Layer < 0 || c.Layer >= context.Model.Config.NLayer || c.Index < 0 || c.Index >= layout.ComponentsPerPosition
                    || c.Position is int p && (p < 0 || p >= context.BaseTokens.Width))
                    throw new ArgumentException($"{c} is not a {kind.Id()} component of this model and batch", nameof(rows));
        }

        var baseMetric = context.BaseMetric.ToDoubles();
        var result = new double[rows.Count];
        var runs = new List<int>();
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Set.Count == 0) result[i] = baseMetric[rows[i].Prompt];
            else runs.Add(i);
        // Rows that start at the same layer share a chunk, so each chunk starts as late as it can.
        foreach (var startGroup in runs.GroupBy(i => rows[i].Set.Min(c => c.Layer)).OrderBy(g => g.Key))
        {
            int start = startGroup.Key;
            var group = startGroup.ToList();
            // A chunk also holds, for every layer it replaces, a mask and (under resample) the other run's values per row.
            var config = context.Model.Config;
            long elements = kind == TargetSpace.Head ? config.DHead : kind == TargetSpace.Neuron ? 1 : config.NEmbd;
            long held = (long)(config.NLayer - start) * context.BaseTokens.Width * layout.ComponentsPerPosition
                        * (1 + (ablation == Ablation.Resample ? elements * ScalarTypeSizes.ElementSize(context.Model.DType) : 0));
            long row = AttributionContext.BytesPerRow(config, context.Model.DType, context.BaseTokens.Width, start, withGradients: false) + held;
            int chunk = (int)Math.Clamp(context.Options.MemoryBudgetBytes / row, 1, int.MaxValue);
            for (int from = 0; from < group.Count; from += chunk)
            {
                var part = group.Skip(from).Take(chunk).ToList();
                var values = Run(context, layout, start, part.Select(i => rows[i]).ToList(), ablation, means);
                for (int j = 0; j < part.Count; j++) result[part[j]] = values[j];
            }
        }
        return result;
    }

    /// <summary>E(S) = m(S) − m(∅) of each row.</summary>
    public static double[] Effects(AttributionContext context, TargetSpace kind, IReadOnlyList<InterventionRow> rows, Ablation ablation,
        ComponentMeans? means = null)
    {
        var metrics = Metrics(context, kind, rows, ablation, means);
        var baseMetric = context.BaseMetric.ToDoubles();
        return metrics.Select((m, i) => m - baseMetric[rows[i].Prompt]).ToArray();
    }

    /// <summary>m(S) for every set on every prompt of the batch: [set, prompt].</summary>
    public static double[,] MetricsOnEveryPrompt(AttributionContext context, TargetSpace kind, IReadOnlyList<IReadOnlyCollection<Target>> sets,
        Ablation ablation, ComponentMeans? means = null)
    {
        int b = context.Batch;
        var rows = sets.SelectMany(set => Enumerable.Range(0, b).Select(p => new InterventionRow(p, set))).ToList();
        var flat = Metrics(context, kind, rows, ablation, means);
        var result = new double[sets.Count, b];
        for (int s = 0; s < sets.Count; s++)
            for (int p = 0; p < b; p++) result[s, p] = flat[s * b + p];
        return result;
    }

    private static double[] Run(AttributionContext context, ComponentLayout layout, int start, IReadOnlyList<InterventionRow> rows,
        Ablation ablation, ComponentMeans? means)
    {
        context.Cancellation.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        var model = context.Model;
        var device = context.BaseTokens.Tokens.device;
        int n = rows.Count;
        long width = context.BaseTokens.Width, perPosition = layout.ComponentsPerPosition;
        var prompts = tensor(rows.Select(r => (long)r.Prompt).ToArray(), device: device);
        // Resampled values equal the base run's before the first differing token; means and zeros do not.
        int p0 = ablation == Ablation.Resample && context.Options.ReusePrefix && context.Options.FixedHooks is null ? context.PrefixLength : 0;

        var hooks = HookSet.Empty.Concat(context.Options.FixedHooks);
        foreach (int layer in rows.SelectMany(r => r.Set).Select(c => c.Layer).Distinct().Order())
        {
            var mask = Mask(rows, layer, width, perPosition, device);                    // [n, pos, C, 1]
            var replacement = ablation switch
            {
                Ablation.Resample => layout.Grouped(context.OtherActivation(layout, layer)).index_select(0, prompts),
                Ablation.Mean => means!.At(layer).unsqueeze(0).unsqueeze(0),
                _ => zeros(1, dtype: model.DType, device: device),
            };
            hooks.Add(layout.Hook(layer), (value, _) =>
            {
                var grouped = layout.Grouped(value);
                // A run with a shared prefix holds only the positions after it.
                long skip = width - grouped.shape[1];
                var m = skip == 0 ? mask : mask[.., (int)skip..];
                var r = ablation == Ablation.Resample && skip > 0 ? replacement[.., (int)skip..] : replacement;
                return where(m, r, grouped).reshape(value.shape);
            });
        }

        var hook = layout.Hook(start);
        var startValue = context.BaseCache[layout.Source(start)].index_select(0, prompts);
        var positions = context.BaseTokens.LastPositions.index_select(0, prompts);
        using var upstream = new ActivationCache();
        foreach (var need in hook.UpstreamNeeds)
            upstream.Store(need, context.BaseCache[need].index_select(0, prompts)[.., p0..]);
        SharedPrefix? prefix = p0 > 0
            ? new SharedPrefix(p0, l => (context.BaseCache[HookPoint.K(l)][.., ..p0].index_select(0, prompts), context.BaseCache[HookPoint.V(l)][.., ..p0].index_select(0, prompts)))
            : null;
        var logits = model.RunFrom(hook, startValue[.., p0..], upstream, hooks, readPositions: positions - p0, prefix: prefix);
        context.RunsCounted++;
        return context.Metric.Evaluate(logits, prompts).ToDoubles();
    }

    /// <summary>[n, pos, C, 1]: true where row i's set holds a component of <paramref name="layer"/> (at its position, or every position).</summary>
    private static Tensor Mask(IReadOnlyList<InterventionRow> rows, int layer, long positions, long perPosition, Device device)
    {
        var data = new bool[rows.Count * positions * perPosition];
        for (int i = 0; i < rows.Count; i++)
            foreach (var c in rows[i].Set)
            {
                if (c.Layer != layer) continue;
                for (long pos = 0; pos < positions; pos++)
                    if (c.Position is not int only || only == pos)
                        data[(i * positions + pos) * perPosition + c.Index] = true;
            }
        return tensor(data, [rows.Count, positions, perPosition, 1]).to(device);
    }

    /// <summary>A [set, prompt] table row by row, as a unit file stores it.</summary>
    public static double[] Flatten(double[,] values)
    {
        var flat = new double[values.Length];
        int cols = values.GetLength(1);
        for (int i = 0; i < values.GetLength(0); i++)
            for (int j = 0; j < cols; j++) flat[i * cols + j] = values[i, j];
        return flat;
    }
}
