namespace Concord.Benchmarks;

/// <summary>The "--name value" options of the benchmark program's own commands.</summary>
public static class CommandOptions
{
    public static string? Get(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
