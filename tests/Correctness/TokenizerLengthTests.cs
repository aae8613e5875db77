using System.Diagnostics;
using Concord.Model;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.Correctness;

/// <summary>
/// Tokenisation is linear (up to a log) in a prompt's length (issue 31): one long word went through the
/// library's quadratic merge loop. The long-piece path must give the library's tokens exactly, so it is
/// checked against the library on generated text with the threshold at 0 (every pre-token takes it).
/// </summary>
[TestFixture]
public class TokenizerLengthTests
{
    private static Gpt2Tokenizer Tokenizer => Gpt2Tokenizer.Instance;

    /// <summary>Characters that exercise the pre-tokenizer's classes and GPT-2's byte-level merges: letters, digits, spaces, contractions, punctuation, non-ASCII.</summary>
    private static readonly string[] Pieces =
        ["a", "e", "t", "th", "in", "the", " ", "  ", "\n", "\t", "'s", "'ll", "0", "1", "17", "!", "...", "-", "é", "ü", "日本", "🙂", "Ω", "<|endoftext|>", "Mary", " John", "ing", "zz", "qx"];

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property TheLongPiecePathGivesTheLibrarysTokens() => Prop.ForAll(
        Gen.Elements(Pieces).ListOf().Select(p => string.Concat(p)).Where(t => t.Length <= Gpt2Tokenizer.LongPieceChars).ToArbitrary(),
        (string text) =>
        {
            var library = Tokenizer.Encode(text, prependBos: false);
            var heap = Tokenizer.Encode(text, prependBos: false, longPiece: 0);
            return library.SequenceEqual(heap).Label($"«{text}»: library [{string.Join(",", library)}], long-piece path [{string.Join(",", heap)}]");
        });

    /// <summary>Long words of one repeated pattern are where the merge order matters most (runs of equal ranks, leftmost first).</summary>
    [TestCase("a", 3000)]
    [TestCase("ab", 1500)]
    [TestCase("abc", 1000)]
    [TestCase(" ", 2000)]
    [TestCase("1", 3000)]
    [TestCase("!", 3000)]
    [TestCase("é", 1500)]
    public void LongRepeatedWordsGiveTheLibrarysTokens(string pattern, int times)
    {
        var text = string.Concat(Enumerable.Repeat(pattern, times)) + " end";
        Assert.That(Tokenizer.Encode(text, prependBos: false, longPiece: 0), Is.EqualTo(Tokenizer.Encode(text, prependBos: false, longPiece: int.MaxValue)));
    }

    [Test]
    public void ALongRandomWordGivesTheLibrarysTokens()
    {
        var random = new Random(31);
        var text = new string(Enumerable.Range(0, 5000).Select(_ => (char)('a' + random.Next(26))).ToArray());
        Assert.That(Tokenizer.Encode(text, prependBos: false), Is.EqualTo(Tokenizer.Encode(text, prependBos: false, longPiece: int.MaxValue)));
    }

    /// <summary>
    /// Doubling a word's length about doubles its time (×4 for the library's quadratic loop): 400,000 letters
    /// against 100,000 take well under the 16× a quadratic loop would. The absolute bound is loose (a shared
    /// machine under load): the library's loop needed about 2 minutes for 400,000 letters, this path under a second.
    /// </summary>
    [Test]
    public void ALongWordTokenisesInLinearTime()
    {
        Tokenizer.Encode(new string('x', 1000), prependBos: false);
        TimeSpan Time(int letters)
        {
            var clock = Stopwatch.StartNew();
            var ids = Tokenizer.Encode(new string('x', letters), prependBos: false);
            clock.Stop();
            Assert.That(Tokenizer.Decode(ids), Is.EqualTo(new string('x', letters)));
            return clock.Elapsed;
        }
        var (short_, long_) = (Time(100_000), Time(400_000));
        TestContext.Out.WriteLine($"100,000 letters {short_.TotalMilliseconds:F0} ms; 400,000 letters {long_.TotalMilliseconds:F0} ms");
        Assert.That(long_, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(long_.TotalMilliseconds, Is.LessThan(8 * Math.Max(short_.TotalMilliseconds, 10)), "time grows about linearly with the length");
    }
}
