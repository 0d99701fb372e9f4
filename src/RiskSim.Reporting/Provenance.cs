using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>Where a result came from: versions, config hash, machine, and every assumption used.</summary>
public static class Provenance
{
    /// <summary>RiskSim's informational version.</summary>
    public static string Version =>
        typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Runtime, OS, CPU count and SIMD width, for report headers.</summary>
    public static string Machine =>
        $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription.Trim()} {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical CPUs, Vector<double> = {System.Numerics.Vector<double>.Count} lanes" +
        (!System.Numerics.Vector.IsHardwareAccelerated ? " (not hardware-accelerated)"
            : System.Numerics.Vector<double>.Count == 8 ? " (AVX-512)"
            : System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? " (AVX2; AVX-512 with DOTNET_MaxVectorTBitWidth=512)"
            : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? " (AVX2)" : "");

    /// <summary>Writes the provenance object: schema, versions, hash, and every input with its distribution and whether it was defaulted.</summary>
    public static void Write(Utf8JsonWriter w, SimulationSpec spec, string configFile)
    {
        w.WriteStartObject("provenance");
        w.WriteNumber("schema_version", ConfigSchema.SchemaVersion);
        w.WriteString("risksim_version", Version);
        w.WriteString("config_file", configFile);
        w.WriteString("config_sha256", spec.ConfigHash);
        w.WriteString("machine", Machine);
        w.WriteEndObject();
        w.WriteStartObject("assumptions");
        w.WriteString("name", spec.Name);
        w.WriteString("accelerator", spec.Accelerator);
        w.WriteNumber("gpus", spec.TotalGpus);
        w.WriteString("cost_mode", spec.CostMode == CostMode.Rate ? "rate" : "build_up");
        w.WriteString("energy_boundary", spec.EnergyBoundary.ToString().ToLowerInvariant());
        w.WriteString("demand", spec.HasDemandCap ? "capped" : "supply-limited");
        w.WriteNumber("horizon_months", spec.HorizonMonths);
        w.WriteNumber("utilization_ramp_months", spec.UtilizationRampMonths);
        w.WriteNumber("economic_life_months", spec.EconomicLifeMonths);
        w.WriteString("tax_depreciation", spec.TaxDepreciation == TaxDepreciation.Macrs5 ? "macrs5" : $"straight_line over {spec.TaxLifeMonths} months");
        w.WriteStartArray("inputs");
        foreach (var i in spec.Inputs)
        {
            if (!Relevant(spec, i.Param))
            {
                continue;
            }

            w.WriteStartObject();
            w.WriteString("path", i.Path);
            w.WriteString("unit", i.Unit);
            Fmt.NumberOrNull(w, "base", i.BaseValue);
            w.WriteString("distribution", i.Distribution.Describe());
            w.WriteBoolean("uncertain", i.IsUncertain);
            w.WriteBoolean("defaulted", i.Defaulted);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("correlations");
        foreach (var c in spec.Correlations)
        {
            w.WriteStartObject();
            w.WriteString("a", c.A);
            w.WriteString("b", c.B);
            w.WriteNumber("rank_correlation", c.RankCorrelation);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("notes");
        foreach (var (k, v) in spec.Notes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        BenchmarkReport.WriteJson(w, spec);
    }

    /// <summary>False for inputs the spec's switches make irrelevant (e.g. capex in rate mode), so reports list only what mattered.</summary>
    public static bool Relevant(SimulationSpec spec, Param p) => p switch
    {
        Param.CostRateUsdPerGpuHour => spec.CostMode == CostMode.Rate,
        Param.CapexUsdPerGpu or Param.CapexOverrun or Param.SalvagePctOfCapex or Param.HostingUsdPerKwMonth
            or Param.ProvisionedKwPerGpu or Param.MaintenancePctOfCapexPerYear => spec.CostMode == CostMode.BuildUp,
        Param.GpuPowerActiveW => spec.HasPower && !spec.PowerFromJoules,
        Param.JoulesPerOutputToken => spec.PowerFromJoules,
        Param.GpuPowerIdleW or Param.ElectricityUsdPerKwh or Param.ElectricityEscalationAnnual or Param.HostOverheadPct or Param.Pue => spec.HasPower,
        Param.DemandCapOutputTokensPerS => spec.HasDemandCap,
        _ => true,
    };
}
