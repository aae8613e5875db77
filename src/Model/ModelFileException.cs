namespace Concord.Model;

/// <summary>A model file or folder that cannot be used; the message names the file and, where known, the tensor.</summary>
public sealed class ModelFileException(string message, Exception? inner = null) : Exception(message, inner);
