namespace RiskSim.Charts;

/// <summary>One encoded chart image in memory.</summary>
/// <param name="FileName">File name with extension, e.g. "tornado-npv.png".</param>
/// <param name="Bytes">The encoded PNG or SVG.</param>
public sealed record ChartImage(string FileName, byte[] Bytes);
