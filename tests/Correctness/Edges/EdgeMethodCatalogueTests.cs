using Concord.Methods.Edges;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Edges;

/// <summary>The edge methods' catalogue: its order, its reference, the pairs it compares, and what it refuses.</summary>
public class EdgeMethodCatalogueTests
{
    private static readonly EdgeMethod Other = new("other", "other", (_, _) => throw new NotSupportedException("never run"));

    [Test]
    public void TheBuiltInCatalogueComparesEveryMethodWithExactPatchingAndIgWithEapIg()
    {
        var builtIn = EdgeMethodCatalogue.BuiltIn;
        Assert.That(builtIn.Select(m => m.Id()), Is.EqualTo(new[] { "ap", "ig", "eap", "eap-ig" }));
        Assert.That(builtIn.Reference, Is.SameAs(EdgeMethod.Ap));
        Assert.That(builtIn.Pairs(["ap", "ig", "eap", "eap-ig"]), Is.EqualTo(new[] { ("ap", "ig"), ("ap", "eap"), ("ap", "eap-ig"), ("ig", "eap-ig") }));
        Assert.That(builtIn.Pairs(["eap", "eap-ig"]), Is.Empty, "without the reference, and without IG, nothing is paired");
        Assert.That(builtIn.ReferenceAmong(["eap", "ig"]), Is.EqualTo("eap"), "the first method that ran when the reference did not");
        Assert.That(builtIn.Select(m => m.HasCompleteness), Is.EqualTo(new[] { false, true, false, false }));
    }

    [Test]
    public void ACatalogueRefusesAnIdTwiceAndAReferenceNotInIt()
    {
        Assert.That(() => EdgeMethodCatalogue.BuiltIn.With(new EdgeMethod("eap", "EAP again", (_, _) => throw new NotSupportedException())),
            Throws.ArgumentException.With.Message.StartsWith("an edge method 'eap' is in the catalogue already"));
        Assert.That(() => new EdgeMethodCatalogue([EdgeMethod.Ig], EdgeMethod.Ap), Throws.ArgumentException.With.Message.StartsWith("the reference 'ap'"));
        Assert.That(() => new EdgeMethod("Not An Id", "x", (_, _) => throw new NotSupportedException()), Throws.ArgumentException);
        Assert.That(() => EdgeMethodCatalogue.BuiltIn.With(new EdgeMethod(EdgeFaithfulness.RandomMethod, "random", (_, _) => throw new NotSupportedException())),
            Throws.ArgumentException.With.Message.Contains("faithfulness control"));
        Assert.That(EdgeMethodCatalogue.BuiltIn.With(Other).Select(m => m.Id()).Last(), Is.EqualTo("other"));
        Assert.That(EdgeMethodCatalogue.BuiltIn, Has.Count.EqualTo(4), "With returns a new catalogue");
    }
}
