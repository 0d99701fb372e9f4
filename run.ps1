#!/usr/bin/env pwsh
#Requires -Version 7.2
<#
.SYNOPSIS
  Batch runner for build servers: runs RiskSim configs, writes results/<timestamp>/, fails on risk gates.

.DESCRIPTION
  Builds RiskSim once in Release, runs `risksim run` on every config, writes each run to
  <OutDir>/<UTC timestamp>/<config name>/ (summary.json, percentiles.csv, report.md, report.html, charts),
  then a batch summary (summary.md and summary.json) with one row per config, prints the table, and sets
  the exit code.

  Usage (the same in bash, sh and PowerShell):
    dotnet tool restore; dotnet pwsh ./run.ps1 [-Configs PATTERN] [-Trials N] [-Seed N] [-OutDir DIR]
                                               [-FailOnGate true|false | -NoFailOnGate] [-GateConfigs PATTERN]
                                               [-Cli PATH] [-Help]

  -Configs PATTERN   Config files: a path (taken literally when it names a file, so 'cfg[1].json' works) or a
                     wildcard pattern (default: configs/*.json next to this script). Repeatable. Relative
                     paths are relative to the current directory.
  -Trials N          Trials per config, a whole number from 1 to 2,000,000,000 (default: each config's
                     simulation.trials).
  -Seed N            Master seed, a whole number from 0 to 18446744073709551615 (default: each config's
                     simulation.seed).
  -OutDir DIR        Results folder (default: results next to this script).
  -FailOnGate true|false
                     Whether a failed risk gate makes the batch exit 3 (default true). Also accepts yes/no, 1/0.
  -NoFailOnGate      Same as -FailOnGate false: report gate failures without failing.
  -GateConfigs PATTERN
                     Only the gates of configs matching PATTERN (file name, path or wildcard; repeatable)
                     decide the exit code; the other configs still run and report their gates.
  -Cli PATH          Use this built risksim.dll (or risksim executable) instead of building.
  -Help              This text.

  Exit codes: 0 every config ran and every deciding gate passed; 1 internal error (or the build failed);
  2 bad input (a bad parameter, no config found, two configs with one result folder) or a config whose run
  errored (risksim exit 1, 2 or 4 = I/O error writing results; the other configs still run); 3 a deciding
  gate failed; 130 cancelled (risksim exit 130: the batch stops, its summary is written). Cancellation, then
  errors, take precedence over gate failures. Error messages go to standard error, as plain text.

.EXAMPLE
  dotnet pwsh ./run.ps1 -Trials 200000 -Seed 7
.EXAMPLE
  dotnet pwsh ./run.ps1 -Configs 'configs/h100*.json' -NoFailOnGate
.EXAMPLE
  dotnet pwsh ./run.ps1 -GateConfigs gb200-nvl72-deepseek-r1.json
#>

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$scriptArgs = @($args)

# Anything unexpected is an internal error (exit 1), reported in one plain line.
trap {
    [Console]::Error.WriteLine("run.ps1: internal error: $($_.Exception.Message) (line $($_.InvocationInfo.ScriptLineNumber))")
    exit 1
}

# No colour codes in redirected output (build logs, files, pipes) or when NO_COLOR is set.
if ([Console]::IsOutputRedirected -or [Console]::IsErrorRedirected -or $env:NO_COLOR) {
    $PSStyle.OutputRendering = 'PlainText'
}

if ($IsWindows) {
    try { [Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false) } catch { Write-Debug 'console encoding unchanged' }
}

$inv = [System.Globalization.CultureInfo]::InvariantCulture

# ---- text helpers -----------------------------------------------------------------------------------------

# Control characters (but tab, line feed and the CR of CR LF) and bidirectional overrides become visible
# \uXXXX escapes: user text (file names, config names, labels) cannot drive the terminal.
function Safe([AllowNull()] [string] $text) {
    if ($null -eq $text) { return '' }
    [regex]::Replace($text, '\r(?!\n)|[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]', {
            param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

# Safe text on one line: line feeds, tabs and carriage returns are escaped too.
function OneLine([AllowNull()] [string] $text) {
    [regex]::Replace((Safe $text), '[\r\n\t]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

# A Markdown table cell: one line, no live HTML, no Markdown syntax.
function MdCell([AllowNull()] [string] $text) {
    $s = (OneLine $text).Replace('&', '&amp;').Replace('<', '&lt;').Replace('>', '&gt;')
    [regex]::Replace($s, '([\\`*_\[\]{}()#+!|~])', '\$1')
}

# Text inside a Markdown code span: one line, no backticks.
function MdCode([AllowNull()] [string] $text) { (OneLine $text).Replace('`', "'") }

function Write-Err([string] $text) { [Console]::Error.WriteLine($text) }

function Fail([string] $message, [int] $code = 2) {
    Write-Err "run.ps1: error: $message"
    if ($code -eq 2) { Write-Err "Usage: dotnet pwsh ./run.ps1 -Help" }
    exit $code
}

function Show-Help {
    # The .DESCRIPTION of the comment block above, as plain text.
    $lines = Get-Content -LiteralPath $PSCommandPath
    $from = [Array]::IndexOf($lines, '.DESCRIPTION') + 1
    $to = [Array]::IndexOf($lines, '.EXAMPLE')
    Write-Host 'run.ps1: batch runner for build servers: runs RiskSim configs, writes results/<timestamp>/, fails on risk gates.'
    $lines[$from..($to - 1)] | ForEach-Object { Write-Host $_ }
}

# ---- parameters -------------------------------------------------------------------------------------------
# Parsed by hand, so that every bad parameter gets exit 2 and a clear message (PowerShell's own binding exits 1,
# and drops "-FailOnGate:" silently when bash expands "-FailOnGate:$false" to it). When the script runs as a file
# (pwsh ./run.ps1 …), the arguments are read exactly as the shell passed them; when it is called from a
# PowerShell session, from $args (which carries typed values: -Trials 5, -FailOnGate:$false, -Configs a,b).

$names = @('Configs', 'Trials', 'Seed', 'OutDir', 'FailOnGate', 'NoFailOnGate', 'GateConfigs', 'Cli', 'Help')
$switches = @('NoFailOnGate', 'Help')
$raw = $false
$items = $scriptArgs
$commandLine = [Environment]::GetCommandLineArgs()
$comparison = if ($IsWindows -or $IsMacOS) { [StringComparison]::OrdinalIgnoreCase } else { [StringComparison]::Ordinal }
for ($i = 1; $i -lt $commandLine.Count; $i++) {
    $full = try { [System.IO.Path]::GetFullPath($commandLine[$i]) } catch { $null }
    if ($full -and [string]::Equals($full, $PSCommandPath, $comparison)) {
        $raw = $true
        $items = @($commandLine | Select-Object -Skip ($i + 1))
        break
    }
}

function Resolve-Name([string] $given) {
    if ($given -in @('?', 'h')) { return 'Help' }
    $exact = @($names | Where-Object { $_ -eq $given })
    if ($exact.Count -eq 1) { return $exact[0] }
    $prefix = @($names | Where-Object { $_.StartsWith($given, [StringComparison]::OrdinalIgnoreCase) })
    if ($prefix.Count -eq 1) { return $prefix[0] }
    if ($prefix.Count -gt 1) { Fail "-$(OneLine $given) is ambiguous: it could be $(($prefix | ForEach-Object { "-$_" }) -join ', ')." }
    Fail "unknown parameter -$(OneLine $given). Parameters: $(($names | ForEach-Object { "-$_" }) -join ', ')."
}

function ConvertTo-Text($value, [string] $param) {
    if ($null -eq $value) { return '' }
    if ($value -is [string]) { return $value }
    if ($value -is [bool] -or $value -is [System.Management.Automation.SwitchParameter]) { return ([bool]$value).ToString().ToLowerInvariant() }
    if ($value -is [System.IConvertible]) { return [Convert]::ToString($value, $inv) }
    Fail "-$param takes one value (got $(OneLine ($value | Out-String).Trim()))."
}

$given = [ordered]@{}
$configsGiven = [System.Collections.Generic.List[string]]::new()
$gatePatterns = [System.Collections.Generic.List[string]]::new()
for ($i = 0; $i -lt $items.Count; $i++) {
    $token = $items[$i]
    if ($token -is [string] -and $token -match '^--?(?<name>[A-Za-z?][A-Za-z]*)(?<colon>:(?<value>.*))?$') {
        $name = Resolve-Name $Matches['name']
        $hasColon = $Matches.ContainsKey('colon')
        $attached = if ($Matches.ContainsKey('value')) { $Matches['value'] } else { '' }
        $values = @()
        if ($hasColon -and $attached -ne '') {
            $values = @($attached)
        }
        elseif ($hasColon -and $raw) {
            Fail "-${name}: has no value after the colon. In bash and sh, `$false expands to nothing, so -${name}:`$false arrives as -${name}:; write -$name false$(if ($name -eq 'FailOnGate') { ' or -NoFailOnGate' })."
        }
        elseif ($hasColon -or $switches -notcontains $name) {
            if ($i + 1 -ge $items.Count) { Fail "-$name needs a value." }
            if ($items[$i + 1] -is [string] -and $items[$i + 1] -match '^--?[A-Za-z?]') { Fail "-$name needs a value (it is followed by $(OneLine $items[$i + 1]))." }
            $i++
            $values = @($items[$i])
        }
        else {
            $values = @($true)
        }

        if ($name -in @('Configs', 'GateConfigs')) {
            foreach ($v in @($values | ForEach-Object { $_ })) {
                $t = ConvertTo-Text $v $name
                if ($name -eq 'Configs') { $configsGiven.Add($t) } else { $gatePatterns.Add($t) }
            }
            continue
        }

        if ($given.Contains($name)) { Fail "-$name is given twice." }
        if (@($values[0]).Count -ne 1) { Fail "-$name takes one value (got $(@($values[0]).Count))." }
        $given[$name] = ConvertTo-Text $values[0] $name
    }
    else {
        # A value without a parameter name is a config path or pattern (as the first parameter always was).
        foreach ($v in @($token | ForEach-Object { $_ })) { $configsGiven.Add((ConvertTo-Text $v 'Configs')) }
    }
}

function ConvertTo-Bool([string] $text, [string] $param) {
    switch -Regex ($text.Trim()) {
        '^(true|\$true|yes|y|on|1)$' { return $true }
        '^(false|\$false|no|n|off|0)$' { return $false }
    }
    Fail "-$param must be true or false (also yes/no, 1/0; got '$(OneLine $text)')."
}

if ($given.Contains('Help') -and (ConvertTo-Bool $given['Help'] 'Help')) { Show-Help; exit 0 }

[long] $maxTrials = 2000000000
$trials = $null
if ($given.Contains('Trials')) {
    $t = $given['Trials'].Trim()
    [long] $n = 0
    if ($t -notmatch '^[0-9]+$' -or -not [long]::TryParse($t, [System.Globalization.NumberStyles]::None, $inv, [ref] $n) -or $n -lt 1 -or $n -gt $maxTrials) {
        Fail "-Trials must be a whole number from 1 to 2,000,000,000 (got '$(OneLine $given['Trials'])'). Leave it out to use each config's simulation.trials."
    }
    $trials = $n
}

$seed = $null
if ($given.Contains('Seed')) {
    $t = $given['Seed'].Trim()
    [UInt64] $s = 0
    if ($t -notmatch '^[0-9]+$' -or -not [UInt64]::TryParse($t, [System.Globalization.NumberStyles]::None, $inv, [ref] $s)) {
        Fail "-Seed must be a whole number from 0 to 18446744073709551615 (got '$(OneLine $given['Seed'])'). Leave it out to use each config's simulation.seed."
    }
    $seed = $s
}

$failOnGate = $true
if ($given.Contains('FailOnGate')) { $failOnGate = ConvertTo-Bool $given['FailOnGate'] 'FailOnGate' }
if ($given.Contains('NoFailOnGate')) {
    $no = ConvertTo-Bool $given['NoFailOnGate'] 'NoFailOnGate'
    if ($given.Contains('FailOnGate')) { Fail 'give either -FailOnGate or -NoFailOnGate, not both.' }
    $failOnGate = -not $no
}
if ($gatePatterns.Count -gt 0 -and -not $failOnGate) {
    Fail '-GateConfigs chooses the configs whose gates fail the batch; with -FailOnGate false or -NoFailOnGate no gate does. Give one or the other.'
}
foreach ($p in $gatePatterns) {
    if ([string]::IsNullOrWhiteSpace($p)) { Fail '-GateConfigs needs a file name, path or pattern (got an empty value).' }
    try { [void][System.Management.Automation.WildcardPattern]::new($p).IsMatch('x') }
    catch { Fail "-GateConfigs '$(OneLine $p)' is not a valid pattern: $(OneLine $_.Exception.Message)" }
}

$outDir = if ($given.Contains('OutDir')) { $given['OutDir'] } else { Join-Path $PSScriptRoot 'results' }
if ([string]::IsNullOrWhiteSpace($outDir) -or $outDir -match '[\x00-\x1F\x7F]') {
    Fail "-OutDir must be a folder path (got '$(OneLine $outDir)')."
}
$outDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($outDir)

$cli = $null
if ($given.Contains('Cli')) {
    $cli = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($given['Cli'])
    if (-not (Test-Path -LiteralPath $cli -PathType Leaf)) { Fail "-Cli: '$(OneLine $given['Cli'])' is not a file (give a built risksim.dll or risksim executable)." }
}

# ---- the configs ------------------------------------------------------------------------------------------
# A path that exists is taken literally (brackets and other wildcard characters in file names are just
# characters); otherwise the text is a wildcard pattern, which must match at least one file.

$files = [System.Collections.Generic.List[System.IO.FileInfo]]::new()
$seen = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::FromComparison($comparison))
function Add-Config([System.IO.FileInfo] $f) { if ($seen.Add($f.FullName)) { $files.Add($f) } }

if ($configsGiven.Count -eq 0) {
    $dir = Join-Path $PSScriptRoot 'configs'
    $found = @(if (Test-Path -LiteralPath $dir -PathType Container) { Get-ChildItem -LiteralPath $dir -Filter '*.json' -File | Sort-Object Name })
    if ($found.Count -eq 0) { Fail "no config file in '$(OneLine $dir)'." }
    $found | ForEach-Object { Add-Config $_ }
}
foreach ($c in $configsGiven) {
    if ([string]::IsNullOrWhiteSpace($c)) { Fail '-Configs needs a config file or pattern (got an empty value).' }
    if (Test-Path -LiteralPath $c -PathType Leaf) {
        Add-Config (Get-Item -LiteralPath $c -Force)
        continue
    }
    if (Test-Path -LiteralPath $c -PathType Container) {
        Fail "'$(OneLine $c)' is a folder, not a config file. To run its configs, give a pattern: -Configs '$(OneLine (Join-Path $c '*.json'))'."
    }
    if (-not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($c)) {
        Fail "config file not found: '$(OneLine $c)'."
    }
    $matched = @()
    try { $matched = @(Get-ChildItem -Path $c -ErrorAction Stop) }
    catch [System.Management.Automation.ItemNotFoundException] { $matched = @() }
    catch { Fail "-Configs '$(OneLine $c)' is not a valid path or pattern: $(OneLine $_.Exception.Message)" }
    $matchedFiles = @($matched | Where-Object { -not $_.PSIsContainer } | Sort-Object Name, FullName)
    if ($matchedFiles.Count -eq 0) {
        if ($matched.Count -gt 0) { Fail "no config file matches '$(OneLine $c)': it matches only folders ($((@($matched | Select-Object -First 3 | ForEach-Object { "'$(OneLine $_.Name)'" })) -join ', '))." }
        Fail "no config file matches '$(OneLine $c)'."
    }
    $matchedFiles | ForEach-Object { Add-Config $_ }
}

function Test-Pattern([System.IO.FileInfo] $f, [string] $p) {
    $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)
    [string]::Equals($f.Name, $p, $comparison) -or [string]::Equals($f.FullName, $full, $comparison) -or $f.Name -like $p -or $f.FullName -like $full
}
function Test-Gating([System.IO.FileInfo] $f) {
    if ($gatePatterns.Count -eq 0) { return $true }
    foreach ($p in $gatePatterns) { if (Test-Pattern $f $p) { return $true } }
    return $false
}
foreach ($p in $gatePatterns) {
    if (@($files | Where-Object { Test-Pattern $_ $p }).Count -eq 0) {
        Fail "-GateConfigs '$(OneLine $p)' matches none of the $($files.Count) configs in this batch."
    }
}

# The CLI names each result folder after the config's "name" (letters, digits, '-', '_' and '.' kept, anything
# else a '-'). Two configs whose names give one folder would overwrite each other: both are refused.
function Get-FolderKey([System.IO.FileInfo] $f) {
    try {
        $j = Get-Content -Raw -LiteralPath $f.FullName | ConvertFrom-Json -ErrorAction Stop
        $p = $j.PSObject.Properties['name']
        if ($null -eq $p -or $p.Value -isnot [string]) { return $null }
        $folder = (-join ($p.Value.ToCharArray() | ForEach-Object { if ([char]::IsLetterOrDigit($_) -or $_ -in @('-', '_', '.')) { $_ } else { '-' } })).Trim('.', '-')
        if ($folder.Length -eq 0) { $folder = 'unnamed' }
        return [pscustomobject]@{ Name = $p.Value; Folder = $folder; Key = $folder.ToLowerInvariant() }
    }
    catch { return $null } # not readable JSON: the CLI reports the error
}
$keys = @{}
foreach ($f in $files) { $keys[$f.FullName] = Get-FolderKey $f }
$clash = @{}
foreach ($group in @($files | Where-Object { $keys[$_.FullName] } | Group-Object { $keys[$_.FullName].Key } | Where-Object Count -gt 1)) {
    $list = ($group.Group | ForEach-Object { "$(OneLine $_.Name) (name '$(OneLine $keys[$_.FullName].Name)')" }) -join ', '
    foreach ($f in $group.Group) {
        $clash[$f.FullName] = "configs $list would share the result folder '$(OneLine $keys[$f.FullName].Folder)' and overwrite each other; give each config a unique name"
    }
}

# ---- build ------------------------------------------------------------------------------------------------

# Native commands are started through System.Diagnostics.Process with an argument list: PowerShell on Linux and
# macOS would expand wildcard characters in arguments (a config 'cfg[1].json' would become 'cfg1.json').
function Invoke-Native([string[]] $command, [switch] $Capture) {
    $psi = [System.Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($a in @($command | Select-Object -Skip 1)) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    if ($Capture) {
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.StandardOutputEncoding = [System.Text.UTF8Encoding]::new($false)
        $psi.StandardErrorEncoding = [System.Text.UTF8Encoding]::new($false)
    }
    $p = [System.Diagnostics.Process]::Start($psi)
    try {
        $out = if ($Capture) { $p.StandardOutput.ReadToEndAsync() } else { $null }
        $err = if ($Capture) { $p.StandardError.ReadToEndAsync() } else { $null }
        $p.WaitForExit()
        [pscustomobject]@{ Code = $p.ExitCode; Out = $(if ($out) { $out.GetAwaiter().GetResult() } else { '' }); Err = $(if ($err) { $err.GetAwaiter().GetResult() } else { '' }) }
    }
    finally { $p.Dispose() }
}

$cliCommand = @()
if ($cli) {
    $cliCommand = if ($cli.EndsWith('.dll', [StringComparison]::OrdinalIgnoreCase)) { @('dotnet', $cli) } else { @($cli) }
}
else {
    Write-Host 'Building RiskSim (Release)...'
    $build = Invoke-Native @('dotnet', 'build', (Join-Path $PSScriptRoot 'src' 'RiskSim.Cli' 'RiskSim.Cli.csproj'), '-c', 'Release', '--nologo', '-v', 'quiet')
    if ($build.Code -ne 0) { Fail 'the build failed (see above).' 1 }
    $cliCommand = @('dotnet', (Join-Path $PSScriptRoot 'src' 'RiskSim.Cli' 'bin' 'Release' 'net10.0' 'risksim.dll'))
}

$stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMdd-HHmmss', $inv)
$batch = Join-Path $outDir $stamp
for ($k = 2; Test-Path -LiteralPath $batch; $k++) { $batch = Join-Path $outDir "$stamp-$k" }
try { [void][System.IO.Directory]::CreateDirectory($batch) }
catch { Fail "cannot create the batch folder '$(OneLine $batch)': $(OneLine $_.Exception.Message)" }

# ---- run --------------------------------------------------------------------------------------------------

$rows = [System.Collections.Generic.List[object]]::new()
$folders = @{}
$hadError = $false
$gateFailed = $false
$cancelled = $false
$tableKeys = @('npv_usd.p10', 'npv_usd.p50', 'npv_usd.p90', 'net_roi.p50', 'payback_months.p50', 'npv_usd.prob_negative')

try {
    foreach ($f in $files) {
        $gating = Test-Gating $f
        $row = [ordered]@{
            config = $f.Name; path = $f.FullName; name = $(if ($keys[$f.FullName]) { $keys[$f.FullName].Name } else { $null })
            status = ''; exit_code = $null; gating = $gating; folder = $null; trials = $null
            display = [ordered]@{}; statistics = [ordered]@{}; gates = @(); error = $null
        }
        $rows.Add($row)
        Write-Host ''
        Write-Host "== $(OneLine $f.Name)"
        if ($clash.ContainsKey($f.FullName)) {
            $row.status = 'ERROR (name clash)'
            $row.error = $clash[$f.FullName]
            $hadError = $true
            Write-Err "error: $($row.error)"
            continue
        }

        $cliArgs = @('run', $f.FullName, '--out', $batch, '--quiet')
        if ($null -ne $trials) { $cliArgs += @('--trials', $trials.ToString($inv)) }
        if ($null -ne $seed) { $cliArgs += @('--seed', $seed.ToString($inv)) }
        $run = Invoke-Native (@($cliCommand) + $cliArgs) -Capture
        $code = $run.Code
        $out = @($run.Out -split '\r?\n' | Where-Object { $_ -ne '' })
        $stderr = $run.Err
        foreach ($line in $out) { Write-Host (Safe $line) }
        if ($stderr) { Write-Err (Safe $stderr.TrimEnd()) }
        $row.exit_code = $code

        # The folder is the one the CLI reports.
        $folderLine = @($out | Where-Object { [string]$_ -match '^\s+results: (?<f>.+)$' } | Select-Object -Last 1)
        if ($folderLine.Count -eq 1 -and ([string]$folderLine[0] -match '^\s+results: (?<f>.+)$')) {
            $row.folder = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Matches['f'].Trim())
        }

        $summary = $null
        if ($row.folder -and (Test-Path -LiteralPath (Join-Path $row.folder 'summary.json') -PathType Leaf)) {
            $summary = Get-Content -Raw -LiteralPath (Join-Path $row.folder 'summary.json') | ConvertFrom-Json
        }

        $row.status = switch ($code) {
            0 { 'ok' }
            3 { if ($failOnGate -and $gating) { 'GATE FAILED' } elseif ($failOnGate) { 'gate failed (not gating)' } else { 'gate failed (reported)' } }
            2 { 'ERROR (bad input)' }
            130 { 'CANCELLED' }
            default { "ERROR (exit $code)" }
        }
        if ($code -eq 3) { if ($failOnGate -and $gating) { $gateFailed = $true } }
        elseif ($code -eq 130) { $cancelled = $true }
        elseif ($code -ne 0) { $hadError = $true; $row.error = if ($stderr) { OneLine (($stderr.Trim() -split "`r?`n") | Select-Object -First 3 | Join-String -Separator ' ') } else { $null } }

        if ($row.folder) {
            $key = $row.folder.ToLowerInvariant()
            if ($folders.ContainsKey($key)) {
                $first = $folders[$key]
                $msg = "$(OneLine $f.Name) and $(OneLine $first.config) both wrote '$(OneLine $row.folder)'; the later run replaced the earlier one's results: give each config a unique name"
                foreach ($r in @($first, $row)) { $r.status = 'ERROR (name clash)'; $r.error = $msg }
                $hadError = $true
                Write-Err "error: $msg"
            }
            else { $folders[$key] = $row }
        }

        if ($summary) {
            $row.trials = [long]$summary.trials
            foreach ($k in $tableKeys) {
                $row.display[$k] = $summary.display.$k
                $row.statistics[$k] = $summary.statistics.$k
            }
            $row.gates = @($summary.gates | ForEach-Object {
                    [ordered]@{ metric = $_.metric; op = $_.op; threshold = $_.threshold; text = $_.text; actual = $_.actual; actual_display = $_.actual_display; passed = $_.passed; label = $_.label }
                })
        }
        if ($code -eq 130) { break }
    }
}
finally {
    # ---- batch summary (also after Ctrl-C) ----------------------------------------------------------------
    function Rel([AllowNull()] [string] $path) { if ($path) { [System.IO.Path]::GetRelativePath($batch, $path) } else { '' } }
    function Cell($row, [string] $key) { if ($row.display.Contains($key) -and $row.display[$key]) { [string]$row.display[$key] } else { '' } }
    $header = @('config', 'status', 'trials', 'NPV P10', 'NPV P50', 'NPV P90', 'net ROI P50', 'payback P50', 'P(NPV < 0)', 'folder')
    $table = @(, $header) + @($rows | ForEach-Object {
            $r = $_
            , @((OneLine $r.config), $r.status, $(if ($null -ne $r.trials) { $r.trials.ToString('#,0', $inv) } else { '' }),
                (Cell $r 'npv_usd.p10'), (Cell $r 'npv_usd.p50'), (Cell $r 'npv_usd.p90'), (Cell $r 'net_roi.p50'),
                (Cell $r 'payback_months.p50'), (Cell $r 'npv_usd.prob_negative'), (OneLine (Rel $r.folder)))
        })

    $md = [System.Text.StringBuilder]::new()
    [void]$md.AppendLine("# RiskSim batch $stamp").AppendLine()
    [void]$md.AppendLine('Pxx = xx-th percentile (P10: 10 % of trials at or below it; pessimistic for NPV and ROI, optimistic for payback months). "never": payback not within the horizon; "n/a": the KPI does not exist for the config (e.g. no capex in rate mode).').AppendLine()
    [void]$md.AppendLine('| ' + (($header | ForEach-Object { MdCell $_ }) -join ' | ') + ' |')
    [void]$md.AppendLine('|---|---|' + ('---:|' * 7) + '---|')
    foreach ($line in $table | Select-Object -Skip 1) { [void]$md.AppendLine('| ' + (($line | ForEach-Object { MdCell $_ }) -join ' | ') + ' |') }
    [void]$md.AppendLine().AppendLine('## Gates').AppendLine()
    foreach ($r in $rows) {
        foreach ($g in $r.gates) {
            [void]$md.AppendLine("* $(MdCell $r.config): $(if ($g.passed) { 'pass' } else { '**FAIL**' }) ``$(MdCode $g.text)`` (actual $(MdCell $g.actual_display))$(if ($g.label) { ' — ' + (MdCell $g.label) })$(if (-not $g.passed -and -not $r.gating) { ' (not gating)' })")
        }
        if ($r.error) { [void]$md.AppendLine("* $(MdCell $r.config): $(MdCell $r.status): $(MdCell $r.error)") }
    }
    try {
        Set-Content -LiteralPath (Join-Path $batch 'summary.md') -Value $md.ToString() -Encoding utf8
        ConvertTo-Json -InputObject @($rows) -Depth 6 | Set-Content -LiteralPath (Join-Path $batch 'summary.json') -Encoding utf8
    }
    catch { Write-Err "run.ps1: error: cannot write the batch summary in '$(OneLine $batch)': $(OneLine $_.Exception.Message)"; $hadError = $true }

    # The console table: every column as wide as its widest cell; text left, numbers right.
    $widths = @(for ($c = 0; $c -lt $header.Count; $c++) { ($table | ForEach-Object { $_[$c].Length } | Measure-Object -Maximum).Maximum })
    $right = @(2, 3, 4, 5, 6, 7, 8)
    Write-Host ''
    foreach ($line in $table) {
        $cells = for ($c = 0; $c -lt $header.Count; $c++) { if ($c -in $right) { $line[$c].PadLeft($widths[$c]) } else { $line[$c].PadRight($widths[$c]) } }
        Write-Host ('  ' + ($cells -join '  ').TrimEnd())
    }
    Write-Host ''
    foreach ($r in $rows) {
        foreach ($g in $r.gates) {
            Write-Host "  $(OneLine $r.config): gate $(if ($g.passed) { 'PASS' } else { 'FAIL' }): $(OneLine $g.text) (actual $(OneLine $g.actual_display))$(if (-not $g.passed -and -not $r.gating) { ' (not gating)' })$(if ($g.label) { ' — ' + (OneLine $g.label) })"
        }
    }
    Write-Host "Batch results: $(OneLine $batch)"
}

# Cancellation, then errors, take precedence over gate failures.
if ($cancelled) { exit 130 }
if ($hadError) { exit 2 }
if ($gateFailed) { exit 3 }
exit 0
