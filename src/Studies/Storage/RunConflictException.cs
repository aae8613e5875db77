namespace Concord.Studies.Storage;

/// <summary>--out holds another run's units (other options, model, data or shard count): the user chooses, so nothing is mixed.</summary>
public sealed class RunConflictException(string message) : Exception(message);
