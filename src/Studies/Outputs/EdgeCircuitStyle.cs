using Concord.Methods.Edges;

namespace Concord.Studies.Outputs;

/// <summary>
/// How the circuit drawings show an edge's score, shared so the DOT file and the PNG read alike:
/// blue for a positive score, red for a negative one, line width by |score| relative to the circuit's largest.
/// </summary>
public static class EdgeCircuitStyle
{
    public const string PositiveHex = "#2166ac", NegativeHex = "#b2182b";
    public const double ThinnestWidth = 0.5, WidestWidth = 5;

    public static string Legend => "blue: score > 0, red: score < 0; width ∝ |score|";

    public static bool IsPositive(double score) => score >= 0;

    /// <summary>The largest |score| of the circuit's edges (1 when all are 0, so widths stay defined).</summary>
    public static double LargestMagnitude(EdgeCircuit circuit, IReadOnlyList<double> scores)
    {
        double largest = circuit.Edges.Select(e => Math.Abs(scores[e])).DefaultIfEmpty(0).Max();
        return largest > 0 ? largest : 1;
    }

    public static double Width(double score, double largest) => ThinnestWidth + (WidestWidth - ThinnestWidth) * Math.Abs(score) / largest;
}
