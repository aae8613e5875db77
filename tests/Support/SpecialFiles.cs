using System.Net.Sockets;
using System.Runtime.InteropServices;
using NUnit.Framework;

namespace Concord.Tests.Support;

/// <summary>
/// The special files a careless script hands Concord as inputs (issue 31): a character device (/dev/zero,
/// endless), a FIFO (open() blocks until a writer comes), a socket, and the test's own stdin. Each is made
/// at a path of the test's choosing (a link for devices and stdin), so any input slot can hold any kind;
/// nothing here writes to a system path. A check that fails to refuse one would hang: <see cref="Within"/>
/// turns that hang into a failure naming the case.
/// </summary>
public static class SpecialFiles
{
    public enum Kind { CharacterDevice, Fifo, Socket, Stdin }

    private static readonly List<Socket> Sockets = [];

    /// <summary>The kinds this machine can make (Linux: all; elsewhere none, and the tests are skipped).</summary>
    public static IReadOnlyList<Kind> All { get; } = OperatingSystem.IsLinux() ? Enum.GetValues<Kind>() : [];

    /// <summary>Makes a special file of <paramref name="kind"/> at <paramref name="path"/> (which must not exist).</summary>
    public static string Make(Kind kind, string path)
    {
        switch (kind)
        {
            case Kind.CharacterDevice:
                File.CreateSymbolicLink(path, "/dev/zero");
                break;
            case Kind.Fifo:
                if (mkfifo(path, 0b110_000_000) != 0) Assert.Fail($"mkfifo {path} failed (errno {Marshal.GetLastPInvokeError()})");
                break;
            case Kind.Socket:
                // Bound and kept open for the rest of the run: .NET removes a socket's file when the socket closes.
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Bind(new UnixDomainSocketEndPoint(path));
                lock (Sockets) Sockets.Add(socket);
                break;
            case Kind.Stdin:
                // /proc/self/fd/0 of whoever reads it: a pipe or a terminal under a test runner, as for a script.
                File.CreateSymbolicLink(path, "/dev/stdin");
                break;
        }
        return path;
    }

    /// <summary>The words a refusal uses for <paramref name="kind"/> (stdin is whatever special file the runner gave it).</summary>
    public static string[] Words(Kind kind) => kind switch
    {
        Kind.CharacterDevice => ["a character device"],
        Kind.Fifo => ["a FIFO (named pipe)"],
        Kind.Socket => ["a socket"],
        _ => ["a character device", "a FIFO (named pipe)", "a socket"],
    };

    /// <summary>Skips the case when this runner's stdin is a regular file (redirected from one): then reading it is fine.</summary>
    public static void AssumeMakeable(Kind kind)
    {
        Assume.That(All, Does.Contain(kind), "special files are made only on Linux");
        if (kind == Kind.Stdin)
            Assume.That(IsSpecial("/dev/stdin"), "this runner's stdin is a regular file");
    }

    private static bool IsSpecial(string path) => Concord.Model.InputFiles.SpecialKind(path) is not null;

    /// <summary>
    /// <paramref name="action"/>'s result, or a failure naming <paramref name="what"/> when it has not returned
    /// within <paramref name="seconds"/>: a reader blocked on a FIFO is then released (a non-blocking writer
    /// opens and closes it) so that the test run goes on.
    /// </summary>
    public static T Within<T>(double seconds, string what, Func<T> action, params string[] fifos)
    {
        var work = Task.Run(action);
        if (!work.Wait(TimeSpan.FromSeconds(seconds)))
        {
            foreach (var fifo in fifos)
            {
                int fd = open(fifo, OpenWriteOnly | OpenNonBlocking);
                if (fd >= 0) close(fd);
            }
            Assert.Fail($"{what}: still running after {seconds} s (a special file or a large input was read instead of refused)");
        }
        return work.GetAwaiter().GetResult();
    }

    private const int OpenWriteOnly = 1, OpenNonBlocking = 0x800;

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc")]
    private static extern int close(int fd);
}
