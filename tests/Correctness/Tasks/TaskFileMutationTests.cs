using System.Text;
using Concord.Tasks;
using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Tasks;

/// <summary>
/// Task files mutated from a valid one (issue 30's generated inputs, for task files): each either loads
/// or is refused with a <see cref="DatasetException"/> naming the file, never another exception. FsCheck
/// prints the seed of a failing case (Replay), so it can be run again.
/// </summary>
[TestFixture]
public class TaskFileMutationTests
{
    private static readonly TaskResources Resources = new();

    private const string Valid =
        "clean,corrupted,clean_answer_idx,corrupted_answer_idx,label\n" +
        "The nurse said that,The man said that,673,339,0\n" +
        "The nurse yelled that,The man yelled that,673,339,0\n" +
        "The nurse whispered that,The man whispered that,673,339,0\n";

    private enum Mutation { Utf16, Utf16Bom, Utf16Be, Utf32, Utf32Bom, Utf32Be, InvalidUtf8, Quote, DropByte, DuplicateByte, DuplicateColumn, DropColumn, SwapColumns, ExtraColumn, DropHeader }

    private static byte[] Apply(Mutation mutation, int at)
    {
        var utf8 = Encoding.UTF8.GetBytes(Valid);
        int i = at % utf8.Length;
        string[][] Table() => Valid.TrimEnd('\n').Split('\n').Select(l => l.Split(',')).ToArray();
        byte[] Join(IEnumerable<IEnumerable<string>> rows) => Encoding.UTF8.GetBytes(string.Join("\n", rows.Select(r => string.Join(",", r))) + "\n");
        int column = at % 5, other = (at / 5) % 5;
        return mutation switch
        {
            Mutation.Utf16 => Encoding.Unicode.GetBytes(Valid),
            Mutation.Utf16Bom => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Valid)],
            Mutation.Utf16Be => [.. (at % 2 == 0 ? Encoding.BigEndianUnicode.GetPreamble() : []), .. Encoding.BigEndianUnicode.GetBytes(Valid)],
            Mutation.Utf32 => Encoding.UTF32.GetBytes(Valid),
            Mutation.Utf32Bom => [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(Valid)],
            Mutation.Utf32Be => new UTF32Encoding(bigEndian: true, byteOrderMark: at % 2 == 0) is var be ? [.. be.GetPreamble(), .. be.GetBytes(Valid)] : [],
            Mutation.InvalidUtf8 => [.. utf8[..i], (byte)(0x80 + at % 0x80), .. utf8[i..]],
            Mutation.Quote => [.. utf8[..i], (byte)'"', .. utf8[i..]],
            Mutation.DropByte => [.. utf8[..i], .. utf8[(i + 1)..]],
            Mutation.DuplicateByte => [.. utf8[..(i + 1)], .. utf8[i..]],
            Mutation.DuplicateColumn => Join(Table().Select(r => r.Append(r[column]))),
            Mutation.DropColumn => Join(Table().Select(r => r.Where((_, c) => c != column))),
            Mutation.SwapColumns => Join(Table().Select(r => r.Select((_, c) => r[c == column ? other : c == other ? column : c]))),
            Mutation.ExtraColumn => Join(Table().Select((r, n) => r.Append(n == 0 ? "extra" : "x"))),
            Mutation.DropHeader => Join(Table().Skip(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(mutation)),
        };
    }

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property AMutatedTaskFileLoadsOrIsRefusedNamingTheFile() => Prop.ForAll(
        Gen.Elements(Enum.GetValues<Mutation>()).SelectMany(m => Gen.Choose(0, 10_000).Select(at => (m, at))).ToArbitrary(),
        ((Mutation Mutation, int At) c) =>
        {
            var path = Path.Combine(TempFolder.New(), "gender_bias.csv");
            File.WriteAllBytes(path, Apply(c.Mutation, c.At));
            try
            {
                TaskDataset.Load(TaskKind.GenderBias, path, Resources);
                return true;
            }
            catch (DatasetException e)
            {
                return e.Message.Contains(path, StringComparison.Ordinal) && !e.Message.Contains('\n');
            }
        });
}
