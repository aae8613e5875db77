namespace Concord.Methods.Pipeline;

/// <summary>Units kept in memory: the store of tests and of runs that need no resumption.</summary>
public sealed class MemoryUnitStore : IUnitStore
{
    private readonly Dictionary<string, UnitResult> _units = new();
    public int Count => _units.Count;
    public bool TryLoad(string key, out UnitResult result) => _units.TryGetValue(key, out result!);
    public void Save(string key, UnitResult result) => _units[key] = result;
}
