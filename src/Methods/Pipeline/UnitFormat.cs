using System.Text.Json;

namespace Concord.Methods.Pipeline;

/// <summary>A unit result as a unit file holds it: a JSON record tagged by its <see cref="UnitFormat.Tag"/>.</summary>
public abstract record StoredUnit
{
    /// <summary>The result again; a field missing or of the wrong shape is damage (a <see cref="JsonException"/>), never a null inside a result.</summary>
    public abstract UnitResult ToResult();

    /// <summary>The result again, its methods and target spaces (written by id) read from <paramref name="methods"/> and <paramref name="spaces"/>; records that name neither need not override it.</summary>
    public virtual UnitResult ToResult(Attribution.MethodCatalogue methods, IReadOnlyList<Targets.TargetSpace> spaces) => ToResult();
}

/// <summary>
/// How one kind of unit result is written to a unit file: its tag (the file's "unit" field) and its
/// JSON record. Each pass owns the formats of its units and gives them to the store, so the store
/// names no pass; a tag never changes (resumed runs read files written before).
/// </summary>
public sealed record UnitFormat(string Tag, Type RecordType, Func<UnitResult, StoredUnit?> TryWrite)
{
    /// <summary>The format of <typeparamref name="TResult"/>, written as <typeparamref name="TRecord"/>.</summary>
    public static UnitFormat Of<TResult, TRecord>(string tag, Func<TResult, TRecord> write) where TResult : UnitResult where TRecord : StoredUnit =>
        new(tag, typeof(TRecord), result => result is TResult r ? write(r) : null);
}

/// <summary>Reading a stored record's fields: what is missing or names an unknown id is damage of the file (a <see cref="JsonException"/>).</summary>
public static class StoredFields
{
    /// <summary>A field the file must have: missing ones make the file unusable, never a null inside a result.</summary>
    public static T Required<T>(T? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string field = "") where T : class =>
        value ?? throw new JsonException($"missing {field}");

    /// <summary>An id the file names that this build does not know is damage of the file, not a usage error.</summary>
    public static T Parse<T>(string id, Func<string, T> parse)
    {
        try { return parse(id); }
        catch (ArgumentException e) { throw new JsonException(e.Message, e); }
    }
}
