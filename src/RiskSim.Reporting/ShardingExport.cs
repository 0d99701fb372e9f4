using System.Text.Json;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>The "sharding" object of a merged run's summary.json (absent for a run in one process).</summary>
internal static class ShardingExport
{
    /// <summary>Writes how many shards the run had, where they ran and what they cost; nothing for an unsharded run.</summary>
    public static void Write(Utf8JsonWriter w, SimulationResult r)
    {
        if (r.Sharding is not { } s)
        {
            return;
        }

        w.WriteStartObject("sharding");
        w.WriteNumber("shards", s.Shards);
        w.WriteNumber("max_shard_wall_s", Math.Round(s.MaxWallSeconds, 3));
        w.WriteNumber("total_shard_wall_s", Math.Round(s.TotalWallSeconds, 3));
        w.WriteNumber("total_shard_cpu_s", Math.Round(s.TotalCpuSeconds, 3));
        w.WriteNumber("merge_s", Math.Round(r.AggregationTime.TotalSeconds, 3));
        w.WriteStartArray("hosts");
        foreach (string h in s.Hosts)
        {
            w.WriteStringValue(h);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
