using System.Text.RegularExpressions;
using Concord.Cli.Run;
using Concord.Methods.Pipeline;
using Concord.Tasks;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace Concord.Tests.EndToEnd.Deploy;

/// <summary>
/// The Kubernetes manifests on paper (no cluster here): they parse as YAML, the Indexed Job's shard
/// count agrees with itself, and the command lines they run parse with `concord run`'s own options.
/// </summary>
[TestFixture]
public class KubernetesManifestTests
{
    private static string Manifest(string name) => Path.Combine(ProjectPaths.Root, "deploy", "kubernetes", name);

    private static YamlMappingNode Load(string name)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Manifest(name))) stream.Load(reader);
        Assert.That(stream.Documents, Has.Count.EqualTo(1), name);
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.That(Scalar(root, "apiVersion"), Is.EqualTo("batch/v1"));
        Assert.That(Scalar(root, "kind"), Is.EqualTo("Job"));
        return root;
    }

    private static YamlNode At(YamlNode node, params object[] path) => path.Aggregate(node, (n, step) => step switch
    {
        string key => ((YamlMappingNode)n).Children[new YamlScalarNode(key)],
        int index => ((YamlSequenceNode)n).Children[index],
        _ => throw new ArgumentException($"bad path step {step}"),
    });

    private static string Scalar(YamlNode node, params object[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static YamlMappingNode Container(YamlNode job) => (YamlMappingNode)At(job, "spec", "template", "spec", "containers", 0);

    private static string[] Arguments(YamlNode job) => ((YamlSequenceNode)At(Container(job), "args")).Children.Select(a => ((YamlScalarNode)a).Value!).ToArray();

    private static RunSettings ParseRun(string[] arguments)
    {
        Assert.That(arguments[0], Is.EqualTo("run"));
        var parse = RunCommand.Create().Parse(arguments[1..]);
        Assert.That(parse.Errors, Is.Empty, string.Join("; ", parse.Errors.Select(e => e.Message)));
        return RunCommand.Parse(parse);
    }

    [Test]
    public void TheIndexedJobRunsOneShardPerCompletionIndex()
    {
        var job = Load("concord-shards.yaml");
        Assert.That(Scalar(job, "spec", "completionMode"), Is.EqualTo("Indexed"));
        int completions = int.Parse(Scalar(job, "spec", "completions"));
        Assert.That(int.Parse(Scalar(job, "spec", "parallelism")), Is.EqualTo(completions));
        Assert.That(Scalar(Container(job), "command", 0), Is.EqualTo("concord"));

        var index = ((YamlSequenceNode)At(Container(job), "env")).Children.Cast<YamlMappingNode>().Single(e => Scalar(e, "name") == "SHARD_INDEX");
        Assert.That(Scalar(index, "valueFrom", "fieldRef", "fieldPath"), Is.EqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']"));

        var arguments = Arguments(job);
        Assert.That(arguments, Has.Some.Matches<string>(a => Regex.IsMatch(a, @"^\$\(SHARD_INDEX\)/\d+$")), "the shard comes from the completion index");
        // What each pod runs once Kubernetes has replaced $(SHARD_INDEX).
        for (int i = 0; i < completions; i++)
            Assert.That(ParseRun(arguments.Select(a => a.Replace("$(SHARD_INDEX)", i.ToString())).ToArray()).Shard, Is.EqualTo(new Shard(i, completions)));
    }

    [Test]
    public void TheMergeJobRunsTheSameRunWithMerge()
    {
        var shards = Arguments(Load("concord-shards.yaml"));
        var merge = Arguments(Load("concord-merge.yaml"));
        var settings = ParseRun(merge);
        Assert.That(settings.Merge, Is.True);
        Assert.That(settings.Shard, Is.Null);
        int shard = Array.IndexOf(shards, "--shard");
        Assert.That(merge.Where(a => a != "--merge"), Is.EqualTo(shards.Where((_, i) => i != shard && i != shard + 1)), "the same options as the shards");

        var output = settings.Out;
        foreach (var name in new[] { "concord-shards.yaml", "concord-merge.yaml" })
        {
            var mount = Scalar(Container(Load(name)), "volumeMounts", 0, "mountPath");
            Assert.That(output, Does.StartWith(mount + "/"), $"{name}: --out lies on the shared volume");
        }
    }
}
