using System.Collections;

namespace Concord.Methods;

/// <summary>
/// An ordered, immutable list of described things with unique stable ids: the methods, the edge
/// methods and the statistics a study is given. The order is the order of units, tables and columns;
/// a catalogue never changes, so what one study (or test) adds is seen by that study alone.
/// </summary>
public abstract class Catalogue<T> : IReadOnlyList<T>
{
    private readonly IReadOnlyList<T> _items;

    /// <param name="noun">What an item is called, with its article, in the message for an id given twice ("a method").</param>
    protected Catalogue(IEnumerable<T> items, Func<T, string> id, string noun)
    {
        _items = items.ToArray();
        if (_items.GroupBy(id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"{noun} '{twice.Key}' is in the catalogue already", nameof(items));
    }

    public int Count => _items.Count;
    public T this[int index] => _items[index];
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
