namespace Concord.Model;

/// <summary>A model file or folder that cannot be used; the message names the file and, where known, the tensor.</summary>
public class ModelFileException(string message, Exception? inner = null, Remedy? remedy = null)
    : Exception(remedy is null ? message : $"{message} ({remedy})", inner), IHasRemedy
{
    public ModelFileException(string message, Remedy remedy) : this(message, null, remedy) { }

    public string Problem { get; } = message;
    public Remedy? Remedy { get; } = remedy;
}
