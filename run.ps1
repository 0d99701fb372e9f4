#!/usr/bin/env pwsh
<#
.SYNOPSIS
  Batch runner for build servers: runs every RiskSim config, writes results/<timestamp>/, fails on risk gates.

.DESCRIPTION
  Builds RiskSim once in Release, runs `risksim run` on every config matching -Configs, writes each
  run to <OutDir>/<timestamp>/<config name>/ (summary.json, percentiles.csv, report.md, report.html,
  charts), then a batch summary (summary.md and summary.json) with one row per config, prints the table,
  and exits non-zero when a run errors (bad config: the error is shown, the other configs still run) or,
  with -FailOnGate (default), when any risk gate fails.

  Linux/macOS:  dotnet tool restore; dotnet pwsh ./run.ps1
  Windows:      pwsh ./run.ps1   (or Windows PowerShell 5.1: powershell -File run.ps1)

  Exit codes: 0 all ran and all gates passed; 2 a config was invalid or a run errored (risksim exit 1,
  2, 4 = I/O error writing results, or 130 = cancelled); 3 a gate failed (only with -FailOnGate).
  Errors take precedence over gate failures.

.EXAMPLE
  dotnet pwsh ./run.ps1 -Trials 200000 -Seed 7
.EXAMPLE
  dotnet pwsh ./run.ps1 -Configs 'configs/h100*.json' -FailOnGate:$false
#>
[CmdletBinding()]
param(
    [string] $Configs = 'configs/*.json',
    [long] $Trials = 0,
    [long] $Seed = -1,
    [string] $OutDir = 'results',
    [bool] $FailOnGate = $true
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

$files = @(Get-ChildItem -Path $Configs -File -ErrorAction SilentlyContinue | Sort-Object Name)
if ($files.Count -eq 0) {
    Write-Error "No config matches '$Configs'."
    exit 2
}

Write-Host "Building RiskSim (Release)..."
& dotnet build (Join-Path 'src' 'RiskSim.Cli' 'RiskSim.Cli.csproj') -c Release --nologo -v quiet
if ($LASTEXITCODE -ne 0) { Write-Error 'Build failed.'; exit 1 }
$dll = Join-Path $PSScriptRoot 'src' 'RiskSim.Cli' 'bin' 'Release' 'net10.0' 'risksim.dll'

$stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMdd-HHmmss')
$batch = Join-Path $OutDir $stamp
New-Item -ItemType Directory -Force -Path $batch | Out-Null

$rows = [System.Collections.Generic.List[object]]::new()
$hadError = $false
$gateFailed = $false
foreach ($f in $files) {
    $args = @($dll, 'run', $f.FullName, '--out', $batch, '--quiet')
    if ($Trials -gt 0) { $args += @('--trials', "$Trials") }
    if ($Seed -ge 0) { $args += @('--seed', "$Seed") }
    Write-Host ""
    Write-Host "== $($f.Name)"
    $stderrFile = [System.IO.Path]::GetTempFileName()
    & dotnet @args 2> $stderrFile
    $code = $LASTEXITCODE
    $stderr = (Get-Content -Raw -LiteralPath $stderrFile -ErrorAction SilentlyContinue)
    Remove-Item -LiteralPath $stderrFile -ErrorAction SilentlyContinue
    if ($stderr) { Write-Host $stderr.TrimEnd() -ForegroundColor Red }

    $summary = $null
    foreach ($s in Get-ChildItem -Path (Join-Path $batch '*' 'summary.json') -File -ErrorAction SilentlyContinue) {
        $j = Get-Content -Raw -LiteralPath $s.FullName | ConvertFrom-Json
        if ($j.provenance.config_file -eq $f.FullName) { $summary = $j; break }
    }

    $status = switch ($code) { 0 { 'ok' } 3 { 'GATE FAILED' } 2 { 'ERROR (bad input)' } 130 { 'CANCELLED' } default { "ERROR (exit $code)" } }
    if ($code -eq 3) { $gateFailed = $true }
    elseif ($code -ne 0) { $hadError = $true }

    $st = if ($summary) { $summary.statistics } else { $null }
    function Stat($name) { if ($st -and $null -ne $st.$name) { [double]$st.$name } else { $null } }
    $gatesText = if ($summary) { (@($summary.gates | ForEach-Object { "$(if ($_.passed) { 'pass' } else { 'FAIL' }) $($_.metric) $($_.op) $($_.threshold)" }) -join '; ') } else { '' }
    $rows.Add([pscustomobject][ordered]@{
        config             = $f.Name
        status             = $status
        trials             = if ($summary) { [long]$summary.trials } else { $null }
        npv_p10_musd       = if ($null -ne (Stat 'npv_usd.p10')) { [Math]::Round((Stat 'npv_usd.p10') / 1e6, 2) } else { $null }
        npv_p50_musd       = if ($null -ne (Stat 'npv_usd.p50')) { [Math]::Round((Stat 'npv_usd.p50') / 1e6, 2) } else { $null }
        npv_p90_musd       = if ($null -ne (Stat 'npv_usd.p90')) { [Math]::Round((Stat 'npv_usd.p90') / 1e6, 2) } else { $null }
        roi_p50            = if ($null -ne (Stat 'net_roi.p50')) { [Math]::Round((Stat 'net_roi.p50'), 2) } else { $null }
        payback_p50_months = if ($null -ne (Stat 'payback_months.p50')) { [Math]::Round((Stat 'payback_months.p50'), 1) } else { $null }
        p_loss             = if ($null -ne (Stat 'npv_usd.prob_negative')) { [Math]::Round((Stat 'npv_usd.prob_negative'), 3) } else { $null }
        gates              = $gatesText
    })
}

function Cell($v) { if ($null -eq $v) { 'n/a' } else { [string]::Format([Globalization.CultureInfo]::InvariantCulture, '{0}', $v) } }
$md = [System.Text.StringBuilder]::new()
[void]$md.AppendLine("# RiskSim batch $stamp")
[void]$md.AppendLine()
[void]$md.AppendLine('Pxx = xx-th percentile (P10: 10 % of trials at or below it; pessimistic for NPV and ROI, optimistic for payback months). NPV in millions of USD.')
[void]$md.AppendLine()
[void]$md.AppendLine('| config | status | trials | NPV P10 | NPV P50 | NPV P90 | net ROI P50 | payback P50 (months) | P(NPV<0) | gates |')
[void]$md.AppendLine('|---|---|---:|---:|---:|---:|---:|---:|---:|---|')
foreach ($r in $rows) {
    [void]$md.AppendLine("| $($r.config) | $($r.status) | $(Cell $r.trials) | $(Cell $r.npv_p10_musd) | $(Cell $r.npv_p50_musd) | $(Cell $r.npv_p90_musd) | $(Cell $r.roi_p50) | $(Cell $r.payback_p50_months) | $(Cell $r.p_loss) | $($r.gates) |")
}
Set-Content -LiteralPath (Join-Path $batch 'summary.md') -Value $md.ToString() -Encoding utf8
$rows | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath (Join-Path $batch 'summary.json') -Encoding utf8

Write-Host ""
$rows | Format-Table config, status, trials, npv_p10_musd, npv_p50_musd, npv_p90_musd, roi_p50, payback_p50_months, p_loss -AutoSize | Out-String -Width 200 | Write-Host
Write-Host "Batch results: $batch"
# Errors take precedence over gate failures.
if ($hadError) { exit 2 }
if ($gateFailed -and $FailOnGate) { exit 3 }
exit 0
