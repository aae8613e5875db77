namespace Concord.Studies.Outputs;

/// <summary>The built-in exporters, in the order they must run (the report links what the others wrote).</summary>
public static class StudyExporters
{
    /// <summary>What `concord run` writes: scores.csv, agreement.json and plots per task, then run.json and report.md.</summary>
    public static IReadOnlyList<IStudyExporter> All { get; } =
        [new ScoresCsvExporter(), new AgreementJsonExporter(), new PlotExporter(), new EdgeCircuitExporter(), new RunRecordExporter(), new MarkdownReportExporter()];
}
