using Concord.Model.Store;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.Correctness;

/// <summary>
/// Issue 31 (4): every malformed spelling of a hub address, from either setting that gives one, is refused
/// in one line naming the setting and what is wrong, before any connection; and what is accepted is exactly
/// what was written (no address quietly repaired into another).
/// </summary>
public partial class DownloadTests
{
    private static readonly string[] Sources = [HubDownloader.EndpointVariable, "--endpoint"];

    /// <summary>The families of malformed addresses, each with the words that say what is wrong.</summary>
    private static readonly (string Family, string Why, string[] Spellings)[] Malformed =
    [
        ("empty", "it is empty", ["", "   ", "\t\n"]),
        ("no scheme", "no scheme", ["huggingface.co", "127.0.0.1:8080", "localhost:8080/hf", "https//huggingface.co", "~/hub"]),
        ("another scheme", "the scheme is", ["ftp://huggingface.co", "file:///etc/passwd", "mailto:hub@example.com", "htps://huggingface.co", "ws://127.0.0.1:1"]),
        ("scheme without //", "must be followed by //", ["http:127.0.0.1", "http:/127.0.0.1", "https:huggingface.co/hf"]),
        ("spaces", "space", ["https://hugging face.co", "https://huggingface.co/my mirror", "https:// huggingface.co", "https://huggingface.co /hf"]),
        ("trailing junk", "", ["https://huggingface.co:443x", "https://huggingface.co>", "https://huggingface.co,", "https://huggingface.co;x",
            "https://huggingface.co/\"", "https://huggingface.co/?", "https://huggingface.co/#top", "https://huggingface.co/%zz", "https://huggingface.co/a%2",
            "https://huggingface.co/<hf>", "https://huggingface.co/hf`"]),
        ("empty host", "no host", ["http://", "https://", "http:///hf", "http://:8080", "http://:8080/hf"]),
        ("empty label", "empty label", ["http://.", "http://a..b", "https://.huggingface.co"]),
        ("credentials", "user name or password", ["https://user:pass@huggingface.co", "https://token@huggingface.co", "https://@huggingface.co", "http://u:p@127.0.0.1:1/hf"]),
        ("port", "port", ["http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:99999", "http://127.0.0.1:-1", "http://127.0.0.1:",
            "http://127.0.0.1:8o80", "http://127.0.0.1:1234567", "http://[::1]:0", "http://127.0.0.1:80:80", "http://127.0.0.1:080"]),
        ("non-ASCII", "non-ASCII", ["https://hüggingface.co", "https://huggingface.co/ü", "https://huggingface\uff0eco", "https://\uff48uggingface.co", "https://huggingface.co\u200b"]),
        ("control characters", "control character", ["https://hugging\tface.co", "https://huggingface.co/\nx", "https://huggingface.co\u0000", "https://huggingface.co/\u007f"]),
        ("relative paths", "", ["/srv/hub", "./hub", "../hub", "hub/mirror", ".", "C:\\hub", "//127.0.0.1/hf", "\\\\server\\hub"]),
        ("backslashes", "backslash", ["http:\\\\127.0.0.1", "https://huggingface.co\\hf"]),
        ("IPv6", "", ["http://[::1", "http://[::1]x", "http://[zz]", "http://[127.0.0.1]"]),
        ("dot segments", ". or ..", ["https://huggingface.co/../x", "https://huggingface.co/./hf", "https://huggingface.co/hf/.."]),
    ];

    private static IEnumerable<TestCaseData> SourcesTimesMalformedFamilies() =>
        from source in Sources from family in Malformed select new TestCaseData(source, family.Family).SetArgDisplayNames(source, family.Family);

    [TestCaseSource(nameof(SourcesTimesMalformedFamilies))]
    public void EveryMalformedHubAddressIsRefusedNamingItsSetting(string source, string family)
    {
        var (_, why, spellings) = Malformed.Single(m => m.Family == family);
        foreach (var spelling in spellings)
        {
            var error = Assert.Throws<ArgumentException>(() => HubDownloader.ParseEndpoint(spelling, source), spelling);
            Assert.That(error!.Message, Does.StartWith($"{source} '{spelling}' is not a hub address: give http(s)://host[:port][/path], e.g. {HubDownloader.DefaultEndpoint} (")
                .And.EndsWith(")"), spelling);
            // One line: what the user typed may hold a line break (the CLI shows it as \n); the reason never does.
            string reason = error.Message[(error.Message.LastIndexOf(" (", StringComparison.Ordinal) + 2)..];
            Assert.That(reason, Does.Contain(why).And.Not.Contain("\n"), spelling);
        }
    }

    [TestCase("https://huggingface.co", "https://huggingface.co/")]
    [TestCase("HTTP://127.0.0.1:1/mirror", "http://127.0.0.1:1/mirror/")]
    [TestCase("http://[::1]:8080/hf/", "http://[::1]:8080/hf/")]
    [TestCase("https://hf-mirror.com", "https://hf-mirror.com/")]
    [TestCase("http://localhost:65535", "http://localhost:65535/")]
    [TestCase("https://xn--hggingface-4ob.co", "https://xn--hggingface-4ob.co/")]
    [TestCase("https://huggingface.co./", "https://huggingface.co./")]
    [TestCase("https://host/a%20b/c~d", "https://host/a%20b/c~d/")]
    [TestCase(" https://huggingface.co/\n", "https://huggingface.co/")]
    public void AWellFormedHubAddressIsTakenAsWritten(string endpoint, string expected) =>
        Assert.That(HubDownloader.ParseEndpoint(endpoint, HubDownloader.EndpointVariable).AbsoluteUri, Is.EqualTo(expected));

    /// <summary>
    /// Any text, and any one-character slip in a good address: either refused as a hub address (never
    /// another exception), or an http(s) address that is the text as written, with a final slash.
    /// </summary>
    [FsCheck.NUnit.Property(MaxTest = 2000)]
    public Property AnyTextIsAnAddressAsWrittenOrRefusedAsOne()
    {
        const string good = "https://hf.example:8443/mirror/hf";
        var slips = Gen.Choose(0, good.Length).SelectMany(at => Gen.Elements(
                ' ', '\t', '\n', '\0', ':', '/', '\\', '@', '?', '#', '%', '[', ']', '.', '-', '"', '\'', '<', '>', ',', ';', 'é', '\u00a0', '\u200b', '0', 'x')
            .SelectMany(c => Gen.Elements(0, 1, 2).Select(mode => mode switch
            {
                0 => good.Insert(at, c.ToString()),
                1 when at < good.Length => good.Remove(at, 1).Insert(at, c.ToString()),
                _ when at < good.Length => good.Remove(at, 1),
                _ => good + c,
            })));
        var texts = Gen.OneOf(slips, ArbMap.Default.GeneratorFor<string>().Where(s => s is not null));
        return Prop.ForAll(texts.ToArbitrary(), text =>
        {
            Uri uri;
            try { uri = HubDownloader.ParseEndpoint(text, HubDownloader.EndpointVariable); }
            catch (ArgumentException e) when (e.Message.StartsWith($"HF_ENDPOINT '{text}' is not a hub address", StringComparison.Ordinal)) { return true; }
            // What was written, by its parts: Uri drops a default port and shows the host in lower case, nothing else.
            var written = System.Text.RegularExpressions.Regex.Match(text.Trim(), @"^(https?)://([^/:\[]+|\[[^\]]+\])(?::([0-9]+))?(/.*)?$",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            if (!written.Success) return false;
            string path = written.Groups[4].Value.Length == 0 ? "/" : written.Groups[4].Value;
            return string.Equals(uri.Scheme, written.Groups[1].Value, StringComparison.OrdinalIgnoreCase)
                   && string.Equals(uri.Host, written.Groups[2].Value, StringComparison.OrdinalIgnoreCase)
                   && uri.Port == (written.Groups[3].Success ? int.Parse(written.Groups[3].Value) : uri.Scheme == "https" ? 443 : 80)
                   && uri.AbsolutePath == (path.EndsWith('/') ? path : path + "/");
        });
    }
}
