using static TorchSharp.torch;

namespace Concord.Model;

/// <summary>A callback that sees an activation and returns the value the rest of the run uses.</summary>
public delegate Tensor HookFunction(Tensor value, HookPoint point);

/// <summary>
/// The forward hooks of one run. A hook may read an activation (return it unchanged) or replace
/// it; patching and attribution are built on this one mechanism.
/// </summary>
public sealed class HookSet
{
    private readonly Dictionary<HookPoint, List<HookFunction>> _hooks = new();

    public static HookSet Empty => new();

    public HookSet Add(HookPoint point, HookFunction hook)
    {
        if (!_hooks.TryGetValue(point, out var list)) _hooks[point] = list = new List<HookFunction>();
        list.Add(hook);
        return this;
    }

    public HookSet Add(string name, HookFunction hook) => Add(HookPoint.Parse(name), hook);

    /// <summary>Replaces a hook point's value outright (the value must have the activation's shape).</summary>
    public HookSet Replace(HookPoint point, Tensor value) => Add(point, (current, p) =>
    {
        if (!current.shape.SequenceEqual(value.shape))
            throw new ArgumentException($"replacement for {p.Name} has shape [{string.Join(", ", value.shape)}], the activation has [{string.Join(", ", current.shape)}]");
        return value;
    });

    /// <summary>A new set with this set's hooks followed by <paramref name="other"/>'s at each point.</summary>
    public HookSet Concat(HookSet? other)
    {
        var result = new HookSet();
        foreach (var (point, list) in _hooks) foreach (var h in list) result.Add(point, h);
        if (other is not null) foreach (var (point, list) in other._hooks) foreach (var h in list) result.Add(point, h);
        return result;
    }

    /// <summary>Whether any hook sits on <paramref name="point"/>.</summary>
    internal bool Has(HookPoint point) => _hooks.ContainsKey(point);

    /// <summary>Whether any hook sits on a point of <paramref name="layer"/>.</summary>
    internal bool TouchesLayer(int layer) => _hooks.Keys.Any(p => !p.IsGlobal && p.Layer == layer);

    internal Tensor Apply(HookPoint point, Tensor value)
    {
        if (!_hooks.TryGetValue(point, out var list)) return value;
        foreach (var hook in list) value = hook(value, point);
        return value;
    }
}
