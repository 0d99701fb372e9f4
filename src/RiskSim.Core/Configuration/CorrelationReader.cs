using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using RiskSim.Core.Model;
using RiskSim.Core.Spec;
using static RiskSim.Core.Configuration.ConfigJson;

namespace RiskSim.Core.Configuration;

/// <summary>
/// Reads <c>correlations</c>, <c>correlation_matrix</c> and <c>correlation_repair</c> into rank correlations between
/// the config's uncertain inputs: each pair once, each coefficient in [-1, 1], and a positive semi-definite matrix
/// unless the repair is asked for. Every problem is an error with its JSON path.
/// </summary>
internal sealed class CorrelationReader(ConfigReadContext c)
{
    /// <summary>Reads the correlations among the given inputs (one per <see cref="Param"/>; null where it did not load).</summary>
    public (ImmutableArray<CorrelationSpec> Correlations, bool Repair) Read(IReadOnlyList<InputSpec?> inputs)
    {
        var list = new List<CorrelationSpec>();
        bool repair = false;
        if (c.Root["correlation_repair"] is JsonNode rep)
        {
            string? r = rep is JsonValue rv && rv.TryGetValue(out string? rs) ? rs : null;
            if (r is not ("reject" or "nearest_psd"))
            {
                Err("correlation_repair", "unknown repair policy", Show(rep), "\"reject\" (default) or \"nearest_psd\"");
            }

            repair = r == "nearest_psd";
        }

        var uncertainPaths = inputs.Where(i => i is { IsUncertain: true }).Select(i => i!.Path).ToList();

        // Inputs given as distributions that did not load (their own errors are listed) are still named as candidates.
        var invalid = ConfigSchema.Fields.Where(f => f.AcceptsDistribution && !uncertainPaths.Contains(f.Path) && c.Root[f.Section] is JsonObject section && section[f.Name] is JsonObject
            && c.Errors.Any(e => e.Path == f.Path || e.Path.StartsWith(f.Path + ".", StringComparison.Ordinal))).Select(f => f.Path).ToList();
        string allowedNames = (uncertainPaths.Count, invalid.Count) switch
        {
            (0, 0) => "an uncertain input (one given as a distribution); this config has none",
            (_, 0) => string.Join(", ", uncertainPaths),
            _ => string.Join(", ", uncertainPaths.Concat(invalid.Select(x => x + " (once its errors are fixed)"))),
        };

        bool CheckName(string path, string? n)
        {
            if (n is null)
            {
                Err(path, "expected an input path string", "", allowedNames);
                return false;
            }

            if (!uncertainPaths.Contains(n))
            {
                if (c.Errors.Any(e => e.Path == n || e.Path.StartsWith(n + ".", StringComparison.Ordinal)))
                {
                    return false; // the input itself is invalid and already reported: no second error for its correlation
                }

                if (c.Overridden.Contains(n) && ConfigSchema.ByPath.ContainsKey(n))
                {
                    // A --set fixed this input for a what-if: its correlations no longer apply.
                    c.Notes[$"correlation.{n}"] = $"correlations of {n} were dropped because --set fixed it";
                    return false;
                }

                Err(path, ConfigSchema.ByPath.ContainsKey(n) ? "input is fixed; only uncertain inputs can be correlated" : "unknown input", $"\"{n}\"", allowedNames);
                return false;
            }

            return true;
        }

        if (c.Root["correlations"] is JsonNode cn)
        {
            if (cn is not JsonArray arr)
            {
                Err("correlations", "must be an array", Show(cn), "[{\"inputs\": [\"drivers.utilization\", \"market.price_erosion_annual\"], \"rank_correlation\": -0.3}]");
            }
            else
            {
                for (int i = 0; i < arr.Count; i++)
                {
                    string p = $"correlations[{i}]";
                    if (arr[i] is not JsonObject o)
                    {
                        Err(p, "must be an object", Show(arr[i]), "{\"inputs\": [A, B], \"rank_correlation\": ρ}");
                        continue;
                    }

                    foreach (var (k, v) in o)
                    {
                        if (k is not ("inputs" or "rank_correlation"))
                        {
                            Err($"{p}.{k}", "unknown field", Show(v), "inputs, rank_correlation");
                        }
                    }

                    if (o["inputs"] is not JsonArray names || names.Count != 2)
                    {
                        Err($"{p}.inputs", "must be an array of two input paths", Show(o["inputs"]), allowedNames);
                        continue;
                    }

                    string? a = Str(names[0]);
                    string? b = Str(names[1]);
                    bool ok = CheckName($"{p}.inputs[0]", a) & CheckName($"{p}.inputs[1]", b);
                    double? rho = Num(o["rank_correlation"]);
                    if (rho is not { } r || double.IsNaN(r) || r < -1 || r > 1)
                    {
                        Err($"{p}.rank_correlation", "must be a number in [-1, 1]", Show(o["rank_correlation"]), "a number in [-1, 1]");
                        continue;
                    }

                    if (ok && a == b)
                    {
                        Err($"{p}.inputs", "an input cannot be correlated with itself", Show(o["inputs"]), "two different inputs");
                        continue;
                    }

                    if (ok && list.Any(c => (c.A == a && c.B == b) || (c.A == b && c.B == a)))
                    {
                        Err($"{p}.inputs", "this pair is already given", Show(o["inputs"]), "each pair once");
                        continue;
                    }

                    if (ok)
                    {
                        list.Add(new CorrelationSpec(a!, b!, r));
                    }
                }
            }
        }

        if (c.Root["correlation_matrix"] is JsonNode mn)
        {
            ReadMatrix(mn, list, CheckName);
        }

        if (list.Count > 0 && c.Errors.Count == 0)
        {
            var names = list.SelectMany(c => new[] { c.A, c.B }).Distinct().ToList();
            var m = Statistics.Correlation.BuildMatrix(names, list);
            double minEig = Statistics.Correlation.MinEigenvalue(m);
            if (minEig < -1e-10 && !repair)
            {
                Err(c.Root["correlation_matrix"] is null ? "correlations" : "correlation_matrix", "the correlation matrix is not positive semi-definite", $"smallest eigenvalue {minEig.ToString("G4", CultureInfo.InvariantCulture)}", "a consistent set of correlations, or \"correlation_repair\": \"nearest_psd\" to repair it to the nearest valid matrix (reported)");
            }
        }

        return ([.. list], repair);
    }

    private void ReadMatrix(JsonNode mn, List<CorrelationSpec> list, Func<string, string?, bool> checkName)
    {
        const string shape = "{\"inputs\": [A, B, …], \"matrix\": [[1, ρ], [ρ, 1]]}";
        if (mn is not JsonObject mo || mo["inputs"] is not JsonArray names || mo["matrix"] is not JsonArray rows)
        {
            Err("correlation_matrix", "must be an object with inputs and matrix", Show(mn), shape);
            return;
        }

        var n = new string?[names.Count];
        bool ok = true;
        for (int i = 0; i < names.Count; i++)
        {
            n[i] = Str(names[i]);
            ok &= checkName($"correlation_matrix.inputs[{i}]", n[i]);
        }

        if (rows.Count != names.Count)
        {
            Err("correlation_matrix.matrix", $"must have {names.Count} rows, one per input", rows.Count.ToString(CultureInfo.InvariantCulture), "a square matrix");
            return;
        }

        var m = new double[names.Count, names.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i] is not JsonArray row || row.Count != names.Count)
            {
                Err($"correlation_matrix.matrix[{i}]", $"must be a row of {names.Count} numbers", Show(rows[i]), "numbers in [-1, 1]");
                ok = false;
                continue;
            }

            for (int j = 0; j < row.Count; j++)
            {
                double? v = Num(row[j]);
                if (v is not { } x || x < -1 || x > 1)
                {
                    Err($"correlation_matrix.matrix[{i}][{j}]", "must be a number in [-1, 1]", Show(row[j]), "a number in [-1, 1]");
                    ok = false;
                    continue;
                }

                m[i, j] = x;
            }
        }

        if (!ok)
        {
            return;
        }

        for (int i = 0; i < names.Count; i++)
        {
            if (m[i, i] != 1)
            {
                Err($"correlation_matrix.matrix[{i}][{i}]", "the diagonal must be 1", m[i, i].ToString("G6", CultureInfo.InvariantCulture), "1");
            }

            for (int j = i + 1; j < names.Count; j++)
            {
                if (m[i, j] != m[j, i])
                {
                    Err($"correlation_matrix.matrix[{i}][{j}]", $"the matrix must be symmetric: [{i}][{j}] ≠ [{j}][{i}]", $"{m[i, j].ToString("G6", CultureInfo.InvariantCulture)} vs {m[j, i].ToString("G6", CultureInfo.InvariantCulture)}", "equal entries");
                }
                else if (m[i, j] != 0 && n[i] != n[j])
                {
                    if (list.Any(c => (c.A == n[i] && c.B == n[j]) || (c.A == n[j] && c.B == n[i])))
                    {
                        Err("correlation_matrix", $"the pair {n[i]} / {n[j]} is also in correlations", "", "each pair once");
                    }
                    else
                    {
                        list.Add(new CorrelationSpec(n[i]!, n[j]!, m[i, j]));
                    }
                }
            }
        }

    }

    private void Err(string path, string message, string value, string allowed) => c.Err(path, message, value, allowed);
}
