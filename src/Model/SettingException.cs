namespace Concord.Model;

/// <summary>
/// A setting a caller gave that cannot be used, worded in the library's terms: the message is
/// "&lt;Setting&gt; &lt;Detail&gt;" ("Steps must be at least 1 (got 0)"). A front end says it in its own
/// terms through <see cref="Setting"/> and <see cref="Detail"/> (the CLI: "--steps must be at least 1").
/// </summary>
public class SettingException(string setting, string detail) : ArgumentException($"{setting} {detail}")
{
    public string Setting { get; } = setting;
    public string Detail { get; } = detail;
}

/// <summary>A folder a setting names that cannot be written (missing parent, read-only, full): the message names the setting and the folder.</summary>
public sealed class UnwritableFolderException(string setting, string folder, Exception inner)
    : IOException($"{setting} {folder}: cannot write there ({IoFailure.Reason(inner)})", inner)
{
    public string Setting { get; } = setting;
    public string Folder { get; } = folder;
}

/// <summary>Advice naming the setting that gets past a failure ("DropInvalid skips such rows"); front ends put their own name for it.</summary>
public sealed record Remedy(string Setting, string Advice)
{
    public override string ToString() => $"{Setting} {Advice}";
}

/// <summary>A failure that suggests a <see cref="Remedy"/>; <see cref="Problem"/> is the message without it.</summary>
public interface IHasRemedy
{
    string Problem { get; }
    Remedy? Remedy { get; }
}
