namespace RiskSim.Charts;

/// <summary>One chart that can write itself as image files named {FileStem}.png / {FileStem}.svg.</summary>
internal interface IChart
{
    /// <summary>File name without extension, e.g. "tornado-npv_usd".</summary>
    string FileStem { get; }

    /// <summary>Writes the chart into <paramref name="directory"/> (created if missing) and returns the paths written.</summary>
    IReadOnlyList<string> Save(string directory, ChartFormat formats, int width, int height);
}
