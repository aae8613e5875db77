using Concord.Model;

namespace Concord.Tasks;

/// <summary>A dataset that cannot be used; the message names the file and, where known, the row and column.</summary>
public class DatasetException(string message, Remedy? remedy = null) : Exception(remedy is null ? message : $"{message} ({remedy})"), IHasRemedy
{
    public string Problem { get; } = message;
    public Remedy? Remedy { get; } = remedy;
}
