using Concord.Methods.Attribution;
using Concord.Methods.Pipeline;
using Concord.Studies.Outputs;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Studies;

/// <summary>The outputs name methods as the catalogue writes them, never by a literal of their own.</summary>
[TestFixture]
public class OutputNamesTests
{
    [Test]
    public void TheVerificationNamesMethodsByTheirDisplayNames()
    {
        Assert.That(VerificationReport.Name(MethodCatalogue.BuiltIn, "atp"), Is.EqualTo("AtP"), "not ATP");
        Assert.That(VerificationReport.Name(MethodCatalogue.BuiltIn, "ig-split"), Is.EqualTo("split IG"));
        Assert.That(VerificationReport.Name(MethodCatalogue.BuiltIn, "gone"), Is.EqualTo("GONE"), "an id the catalogue lacks is still shown");
    }

    [Test]
    public void TheHeadlineIsTheCataloguesFirstPairAndItsCheckedMethod()
    {
        var builtIn = new PipelineOptions();
        Assert.That(Headline.Pair(builtIn), Is.EqualTo((Method.Ig, Method.Ap)));
        Assert.That(Headline.Checked(builtIn), Is.SameAs(Method.Ig));
        var noIg = new PipelineOptions { Methods = [Method.Ap, Method.Atp] };
        Assert.That(Headline.Pair(noIg), Is.EqualTo((Method.Atp, Method.Ap)));
        Assert.That(Headline.Checked(noIg), Is.Null, "neither AtP nor AP has a completeness check: the tables drop the column");
        Assert.That(Headline.Pair(new PipelineOptions { Methods = [Method.Ap] }), Is.Null);
    }
}
