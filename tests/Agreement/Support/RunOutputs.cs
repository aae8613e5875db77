using System.Text.Json.Nodes;

namespace Concord.Tests.Agreement.Support;

/// <summary>Reading a run's outputs for comparison.</summary>
public static class RunOutputs
{
    /// <summary>
    /// An output file's content for comparing two runs: agreement.json without its "run" object,
    /// which records when and into which folder each run went (it must differ); anything else as it is.
    /// </summary>
    public static string Comparable(string path)
    {
        var text = File.ReadAllText(path);
        if (!path.EndsWith("agreement.json", StringComparison.Ordinal)) return text;
        var json = JsonNode.Parse(text)!.AsObject();
        NUnit.Framework.Assert.That(json.ContainsKey("run"), NUnit.Framework.Is.True, $"{path} embeds the run's provenance");
        json.Remove("run");
        return json.ToJsonString();
    }
}
