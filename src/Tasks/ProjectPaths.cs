namespace Concord.Tasks;

/// <summary>Where the project's own files are: the folder with Suite.sln above the running program, or $CONCORD_HOME.</summary>
public static class ProjectPaths
{
    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CONCORD_HOME") is { Length: > 0 } home) return home;
            foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "Suite.sln"))) return dir.FullName;
            throw new DatasetException("cannot find the Concord repository (Suite.sln) above the program or the current folder; set CONCORD_HOME");
        }
    }

    public static string Datasets => Path.Combine(Root, "datasets");
}
