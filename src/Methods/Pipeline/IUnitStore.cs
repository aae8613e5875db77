namespace Concord.Methods.Pipeline;

/// <summary>Where finished units are kept so an interrupted run resumes without redoing them.</summary>
public interface IUnitStore
{
    bool TryLoad(string key, out UnitResult result);
    void Save(string key, UnitResult result);
}
