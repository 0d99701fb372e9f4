namespace RiskSim.Charts;

/// <summary>Which image files a chart writes.</summary>
[Flags]
public enum ChartFormat
{
    /// <summary>Write nothing.</summary>
    None = 0,

    /// <summary>Raster image (.png).</summary>
    Png = 1,

    /// <summary>Vector image (.svg).</summary>
    Svg = 2,

    /// <summary>Both .png and .svg.</summary>
    Both = Png | Svg,
}
