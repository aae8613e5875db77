using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Concord.Tests.EndToEnd.Robust.Generated;

/// <summary>The kinds of malformed value issue 30 names, each a generator of spellings.</summary>
public enum ValueKind { Empty, Whitespace, Separators, Negative, Zero, Huge, NonFinite, DecimalComma, NonAscii, Folder, Device, MissingPath, WrongFile }

/// <summary>
/// Generated values an option, an argument or an environment variable should refuse (or, by chance, accept).
/// Paths are placeholders (<see cref="Folder"/>, <see cref="File"/>, <see cref="Missing"/>) that a case replaces
/// with paths in its own temporary folder, so that a case never touches another's files.
/// </summary>
public static class MalformedValues
{
    /// <summary>An existing empty folder of the case.</summary>
    public const string Folder = "@FOLDER@";
    /// <summary>An existing text file of the case that is no file Concord reads ("hello").</summary>
    public const string File = "@FILE@";
    /// <summary>An existing empty file of the case.</summary>
    public const string EmptyFile = "@EMPTY@";
    /// <summary>A path below the case's folder that does not exist (nor does its parent).</summary>
    public const string Missing = "@MISSING@";

    private static Gen<string> OneOf(params string[] values) => Gen.Elements(values);

    public static Gen<string> Of(ValueKind kind) => kind switch
    {
        ValueKind.Empty => OneOf(""),
        ValueKind.Whitespace => OneOf(" ", "  ", "\t", "\n", " \n ", "\r\n", "\u00a0"),
        ValueKind.Separators => OneOf(",", ",,", " , ", ";", ":", "/", "//", "=", "-", ".", "..", "|", ",;:"),
        ValueKind.Negative => Gen.OneOf(Gen.Choose(1, 100_000).Select(n => $"-{n}"), OneOf("-0", "-0.5", "-1e9", "-2147483649", "-9223372036854775809")),
        ValueKind.Zero => OneOf("0", "0.0", "+0", "00", "0e0", "-0.0"),
        ValueKind.Huge => Gen.OneOf(OneOf("2147483647", "2147483648", "4294967296", "9223372036854775807", "18446744073709551616", "1e308", "1e400", "1.7976931348623157e308"),
            Gen.Choose(10, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n).Select(d => "9" + string.Concat(d)))),
        ValueKind.NonFinite => OneOf("NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "∞", "-∞", "1e999"),
        ValueKind.DecimalComma => Gen.OneOf(Gen.Choose(0, 99).SelectMany(a => Gen.Choose(0, 99).Select(b => $"{a},{b}")), OneOf("0,5", "1,000", "1,000,000", "0,1,2")),
        ValueKind.NonAscii => Gen.OneOf(OneOf("é", "naïve", "日本語", "١٢", "１２", "\u200b", "😀", "Ω≈ç√", "ıİ", "ß", "\u202eevil"),
            Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Choose(0xA0, 0x2FFF).Select(c => (char)c), n)).Select(cs => new string(cs))),
        ValueKind.Folder => OneOf(Folder, "/", ".", "..", "/proc/self", "/usr"),
        ValueKind.Device => OneOf("/dev/null", "/proc/self/status", "/proc/self/cmdline"),
        // Never an absolute path that could be created: a command that takes it as a folder to write would make it on the real file system.
        ValueKind.MissingPath => OneOf(Missing, File + "/x", "/proc/concord-nonexistent", "missing.csv", "missing/", "~/nonexistent"),
        ValueKind.WrongFile => OneOf(File, EmptyFile),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Any kind, each as likely.</summary>
    public static Gen<(ValueKind Kind, string Value)> Any { get; } =
        Gen.Elements(Enum.GetValues<ValueKind>()).SelectMany(k => Of(k).Select(v => (k, v)));

    /// <summary>Creates the case's placeholder paths in <paramref name="caseFolder"/> and returns <paramref name="value"/> with them filled in.</summary>
    public static string Resolve(string value, string caseFolder)
    {
        if (value.Contains(Folder, StringComparison.Ordinal)) Directory.CreateDirectory(Path.Combine(caseFolder, "folder"));
        if (value.Contains(File, StringComparison.Ordinal)) System.IO.File.WriteAllText(Path.Combine(caseFolder, "notes.txt"), "hello\n");
        if (value.Contains(EmptyFile, StringComparison.Ordinal)) System.IO.File.WriteAllText(Path.Combine(caseFolder, "empty.txt"), "");
        return value.Replace(Folder, Path.Combine(caseFolder, "folder"), StringComparison.Ordinal)
            .Replace(File, Path.Combine(caseFolder, "notes.txt"), StringComparison.Ordinal)
            .Replace(EmptyFile, Path.Combine(caseFolder, "empty.txt"), StringComparison.Ordinal)
            .Replace(Missing, Path.Combine(caseFolder, "missing", "x.csv"), StringComparison.Ordinal);
    }

    /// <summary>The suite's fixed seed; each check mixes in its own name, so adding a check changes no other's cases.</summary>
    public const ulong SuiteSeed = 20_261_206;

    /// <summary>An FsCheck configuration that replays the same cases every run: <paramref name="cases"/> of them, seeded by <paramref name="name"/>.</summary>
    public static (Config Config, string Seed) Seeded(string name, int cases)
    {
        ulong seed = SuiteSeed;
        foreach (char c in name) seed = (seed ^ c) * 1_099_511_628_211UL;
        const ulong gamma = 0x9E3779B97F4A7C15UL;
        var replay = new Replay(new Rnd(seed, gamma), FSharpOption<int>.None);
        return (Config.QuickThrowOnFailure.WithMaxTest(cases).WithReplay(FSharpOption<Replay>.Some(replay)).WithQuietOnSuccess(true), $"({seed},{gamma})");
    }
}
