using TorchSharp;
using static TorchSharp.torch;

namespace Concord.Model;

/// <summary>
/// Activations recorded by a run, by hook point. The cache owns its tensors (they are detached
/// from autograd and from any dispose scope) and frees them when disposed.
/// </summary>
public sealed class ActivationCache : IDisposable
{
    private readonly Dictionary<HookPoint, Tensor> _values = new();
    private readonly Func<HookPoint, bool> _filter;

    /// <param name="filter">Which hook points a run should record; null records every one but the per-head copies (<see cref="HookPoint.IsPerHead"/>), which a filter must name.</param>
    public ActivationCache(Func<HookPoint, bool>? filter = null) => _filter = filter ?? (p => !p.IsPerHead);

    public static ActivationCache Of(params HookPoint[] points)
    {
        var set = points.ToHashSet();
        return new ActivationCache(set.Contains);
    }

    public bool Wants(HookPoint point) => _filter(point);

    public IEnumerable<HookPoint> Points => _values.Keys.OrderBy(p => p);

    public Tensor this[HookPoint point] =>
        _values.TryGetValue(point, out var t) ? t
        : throw new KeyNotFoundException($"activation cache has no '{point.Name}' (cached: {(_values.Count == 0 ? "nothing" : string.Join(", ", Points.Select(p => p.Name).Take(6)) + (_values.Count > 6 ? ", ..." : ""))})");

    public Tensor this[string name] => this[HookPoint.Parse(name)];

    /// <summary>Stores a copy-free, detached alias of <paramref name="value"/>, replacing an earlier one.</summary>
    public void Store(HookPoint point, Tensor value)
    {
        var owned = value.detach().DetachFromDisposeScope();
        if (_values.Remove(point, out var old)) old.Dispose();
        _values[point] = owned;
    }

    /// <summary>A new cache holding the given points of this one, each repeated <paramref name="times"/> along the batch axis.</summary>
    public ActivationCache RepeatBatch(IEnumerable<HookPoint> points, int times)
    {
        var result = new ActivationCache();
        foreach (var p in points)
        {
            using var scope = NewDisposeScope();
            result.Store(p, this[p].RepeatAlongBatch(times));
        }
        return result;
    }

    public void Dispose()
    {
        foreach (var t in _values.Values) t.Dispose();
        _values.Clear();
    }
}
