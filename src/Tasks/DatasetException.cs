namespace Concord.Tasks;

/// <summary>A dataset that cannot be used; the message names the file and, where known, the row and column.</summary>
public sealed class DatasetException(string message) : Exception(message);
