namespace Concord.Methods.Attribution;

/// <summary>
/// The attribution methods a study knows, in order (the order of units, tables and columns), with
/// the reference the others are compared with. Immutable: <see cref="With"/> returns a new
/// catalogue, so a method added for one study (or one test) is seen by that study alone.
/// <see cref="BuiltIn"/> (IG, AP, AtP, split IG; AP the reference) is every study's by default.
/// </summary>
public sealed class MethodCatalogue : Catalogue<Method>
{
    /// <summary>The method the others are compared with (AP, what patching measures, in the built-in catalogue).</summary>
    public Method Reference { get; }

    public MethodCatalogue(IEnumerable<Method> methods, Method reference) : base(methods, m => m.Id(), "a method")
    {
        if (!this.Contains(reference)) throw new ArgumentException($"the reference '{reference.Id()}' is not in the catalogue", nameof(reference));
        Reference = reference;
    }

    /// <summary>IG, AP, AtP and split IG, in that order (unit numbering and every table follow it); AP is the reference.</summary>
    public static MethodCatalogue BuiltIn { get; } = new([Method.Ig, Method.Ap, Method.Atp, Method.IgSplit], Method.Ap);

    /// <summary>This catalogue and <paramref name="method"/> after its methods; its id must be new here.</summary>
    public MethodCatalogue With(Method method) => new([.. this, method], Reference);

    /// <summary>The methods the similarity sweep scores at every s, in catalogue order.</summary>
    public IReadOnlyList<Method> Swept => this.Where(m => m.InSweep).ToList();

    /// <summary>The method with this id (trimmed, case-insensitive).</summary>
    public Method Parse(string text) =>
        this.FirstOrDefault(m => m.Id() == text.Trim().ToLowerInvariant())
        ?? throw new ArgumentException($"unknown method '{text.Trim()}' ({Ids})");

    /// <summary>The methods of a comma-separated list; a list naming none is refused, as it would compute nothing.</summary>
    public IReadOnlyList<Method> ParseList(string text) =>
        Concord.Model.IdList.Split(text, "method", Ids).Select(Parse).Distinct().ToArray();

    private string Ids => string.Join(", ", this.Select(m => m.Id()));

    /// <summary>
    /// The pairs compared among <paramref name="methods"/>: every method against the reference first
    /// (in catalogue order), then the further pairs each method names.
    /// </summary>
    public IReadOnlyList<(Method First, Method Second)> Pairs(IReadOnlyCollection<Method> methods)
    {
        var ordered = this.Where(methods.Contains).ToList();
        var pairs = new List<(Method, Method)>();
        if (methods.Contains(Reference))
            pairs.AddRange(ordered.Where(m => m.ComparedWithReference && m != Reference).Select(m => (m, Reference)));
        foreach (var m in ordered)
            pairs.AddRange(ordered.Where(other => m.AlsoComparedWith.Contains(other.Id())).Select(other => (m, other)));
        return pairs;
    }
}
