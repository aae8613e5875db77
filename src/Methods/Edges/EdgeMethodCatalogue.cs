namespace Concord.Methods.Edges;

/// <summary>
/// The edge methods an edge pass knows, in order (the order of units, tables and files), with the
/// reference the others are compared with. Immutable: <see cref="With"/> returns a new catalogue,
/// so a method added for one study is seen by that study alone. <see cref="BuiltIn"/> (AP, IG, EAP,
/// EAP-IG; AP the reference) is every edge pass's by default.
/// </summary>
public sealed class EdgeMethodCatalogue : Catalogue<EdgeMethod>
{
    /// <summary>The method the others are compared with (exact edge patching in the built-in catalogue).</summary>
    public EdgeMethod Reference { get; }

    public EdgeMethodCatalogue(IEnumerable<EdgeMethod> methods, EdgeMethod reference) : base(methods, m => m.Id(), "an edge method")
    {
        // Edge faithfulness names its random control's curves "random": a method of that id would be read as the control.
        if (this.FirstOrDefault(m => m.Id() == EdgeFaithfulness.RandomMethod) is { } control)
            throw new ArgumentException($"the edge method id '{control.Id()}' is the faithfulness control's; choose another", nameof(methods));
        if (!this.Contains(reference)) throw new ArgumentException($"the reference '{reference.Id()}' is not in the catalogue", nameof(reference));
        Reference = reference;
    }

    public static EdgeMethodCatalogue BuiltIn { get; } = new([EdgeMethod.Ap, EdgeMethod.Ig, EdgeMethod.Eap, EdgeMethod.EapIg], EdgeMethod.Ap);

    /// <summary>This catalogue and <paramref name="method"/> after its methods; its id must be new here.</summary>
    public EdgeMethodCatalogue With(EdgeMethod method) => new([.. this, method], Reference);

    /// <summary>The ids, for messages and help: "ap, ig, eap, eap-ig".</summary>
    public string Ids => string.Join(", ", this.Select(m => m.Id()));

    /// <summary>The method with this id (trimmed, case-insensitive), or null.</summary>
    public EdgeMethod? Find(string id) => this.FirstOrDefault(m => m.Id() == id.Trim().ToLowerInvariant());

    /// <summary>
    /// The pairs compared among the methods with <paramref name="ids"/>, by id: the reference with
    /// every other method (reference first, in catalogue order), then the further pairs each method names.
    /// </summary>
    public IEnumerable<(string First, string Second)> Pairs(IReadOnlyCollection<string> ids)
    {
        var present = this.Where(m => ids.Contains(m.Id())).ToList();
        if (present.Contains(Reference))
            foreach (var m in present.Where(m => m != Reference)) yield return (Reference.Id(), m.Id());
        foreach (var m in present)
            foreach (var other in present.Where(o => m.AlsoComparedWith.Contains(o.Id())))
                yield return (m.Id(), other.Id());
    }

    /// <summary>The reference when it ran, else the first method that did: the ranking a task's circuit figure and strongest path follow.</summary>
    public string ReferenceAmong(IReadOnlyList<string> ids) => ids.Contains(Reference.Id()) ? Reference.Id() : ids[0];
}
