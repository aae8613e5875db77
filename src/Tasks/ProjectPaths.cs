namespace Concord.Tasks;

/// <summary>
/// Where the project's own files (datasets/, models/) are: $CONCORD_HOME; the clone (the folder with
/// Suite.sln) above the running program; the program's own folder when it carries them (the
/// `concord` dotnet tool); the clone above the current folder.
/// </summary>
public static class ProjectPaths
{
    public const string HomeVariable = "CONCORD_HOME";

    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home)
            {
                // Said of the variable: otherwise the first file looked for under it is reported missing, and the user looks for the file.
                if (!Directory.Exists(home))
                    throw new ArgumentException($"{HomeVariable} {home}: {(File.Exists(home) ? "is a file" : "no such folder")}; set it to a clone of the repository (the folder with Suite.sln), or unset it");
                return home;
            }
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
