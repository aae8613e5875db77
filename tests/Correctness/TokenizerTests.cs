using Concord.Model;
using NUnit.Framework;

namespace Concord.Tests.Correctness;

[TestFixture]
public class TokenizerTests
{
    private static Gpt2Tokenizer Tokenizer => Gpt2Tokenizer.Instance;

    [TestCase(" Mary", 5335)]
    [TestCase(" John", 1757)]
    [TestCase(" she", 673)]
    [TestCase(" he", 339)]
    [TestCase(" are", 389)]
    public void KnownGpt2TokenIds(string word, int id) => Assert.That(Tokenizer.SingleToken(word), Is.EqualTo(id));

    [Test]
    public void BosIsPrependedByDefaultAndSwitchable()
    {
        Assert.That(Tokenizer.Encode(" Mary"), Is.EqualTo(new[] { Gpt2Tokenizer.EndOfText, 5335 }));
        Assert.That(Tokenizer.Encode(" Mary", prependBos: false), Is.EqualTo(new[] { 5335 }));
    }

    [Test]
    public void DecodeInvertsEncode()
    {
        const string text = "When Mary and John went to the store, John gave a bottle of milk to";
        Assert.That(Tokenizer.Decode(Tokenizer.Encode(text, prependBos: false)), Is.EqualTo(text));
    }

    [Test]
    public void MultiTokenWordIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => Tokenizer.SingleToken(" Tirana"));
        Assert.That(error!.Message, Does.Contain("' Tirana' is 2 GPT-2 tokens"));
    }
}
