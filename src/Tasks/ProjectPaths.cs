namespace Concord.Tasks;

/// <summary>
/// Where the project's own files (datasets/, models/) are: $CONCORD_HOME; the clone (the folder with
/// Suite.sln) above the running program; the program's own folder when it carries them (the
/// `concord` dotnet tool); the clone above the current folder.
/// </summary>
public static class ProjectPaths
{
    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CONCORD_HOME") is { Length: > 0 } home) return home;
            if (CloneAbove(AppContext.BaseDirectory) is { } clone) return clone;
            if (Directory.Exists(Path.Combine(AppContext.BaseDirectory, "datasets")) && Directory.Exists(Path.Combine(AppContext.BaseDirectory, "models")))
                return AppContext.BaseDirectory;
            return CloneAbove(Environment.CurrentDirectory)
                ?? throw new DatasetException("cannot find Concord's datasets and models: no clone (Suite.sln) above the program or the current folder, " +
                                              "and the program carries none; set CONCORD_HOME to a clone of the repository, or install the concord tool (README, \"concord as a dotnet tool\")");
        }
    }

    private static string? CloneAbove(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Suite.sln"))) return dir.FullName;
        return null;
    }

    public static string Datasets => Path.Combine(Root, "datasets");
}
