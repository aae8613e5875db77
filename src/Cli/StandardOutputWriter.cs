using System.Text;
using Concord.Model;

namespace Concord.Cli;

/// <summary>Writing to stdout failed (`concord … >/dev/full`, a closed pipe): said of stdout, not of a file.</summary>
public sealed class StandardOutputException(Exception inner) : IOException($"cannot write to stdout ({IoFailure.Reason(inner)}); send it elsewhere", inner);

/// <summary>
/// Console.Out with its failures named as stdout's. After the first failure further output is
/// dropped: the one error line goes to stderr, and nothing fails again at exit.
/// </summary>
public sealed class StandardOutputWriter(TextWriter inner) : TextWriter
{
    private bool _broken;

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override string NewLine
    {
#pragma warning disable CS8765 // TextWriter.NewLine's setter takes null as "the default"; the inner writer handles it.
        get => inner.NewLine;
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    private void Guard(Action write)
    {
        if (_broken) return;
        try { write(); }
        catch (IOException e)
        {
            _broken = true;
            throw new StandardOutputException(e);
        }
    }

    public override void Write(char value) => Guard(() => inner.Write(value));
    public override void Write(string? value) => Guard(() => inner.Write(value));
    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));
    public override void WriteLine() => Guard(inner.WriteLine);
    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));
    public override void Flush() => Guard(inner.Flush);
}
