#!/usr/bin/env bash
# Whole-process benchmark of the risksim tool against the NumPy peer, interleaved.
#
#   benchmarks/whole-process.sh [-n ROUNDS] [-r RISKSIM] [-b BASELINE] [-c CONFIG] [-o CSV] [-s]
#
# Each round runs every case once, in turn, so a change in the machine's load hits all cases alike:
#   risksim-full       risksim run CONFIG                       (1 M trials, report.md/html, CSVs, 14 charts)
#   risksim-summary    risksim run CONFIG --report summary      (report without charts)
#   risksim-none       risksim run CONFIG --report none         (summary.json and percentiles.csv only)
#   risksim-10M        risksim run CONFIG --trials 10000000     (full report)
#   numpy-1M           the NumPy peer, 1 M trials (statistics printed, no report)
#   numpy-10M          the NumPy peer, 10 M trials
# and prints, per case, the median and minimum wall time and CPU time (user + sys, from /usr/bin/time), then the
# ratios NumPy ÷ risksim. Wall time is what a user waits for; on a loaded machine it grows with the other processes,
# CPU time much less so (compare CPU time when the load average is above the core count).
#   -b BASELINE  adds baseline-full and baseline-none: another risksim build (e.g. of the previous commit) in the same
#                rounds, for a before/after comparison
#   -s           leaves the NumPy cases out
#   -o CSV       writes every timed run (case, round, wall, user, sys) to CSV
#
# RISKSIM is the command to time (default: the published tool in artifacts/risksim, else the Release build). Build it
# first, e.g. `dotnet publish src/RiskSim.Cli -c Release -o artifacts/risksim` (ReadyToRun, see README "Install").
# The NumPy peer lives outside the repository, in ../shared/peers/numpy (python3-numpy from Debian).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=7
config="$root/configs/gb200-nvl72-deepseek-r1.json"
risksim=""
csv=""
baseline=""
skip_numpy=0
while getopts "n:r:b:c:o:s" opt; do
  case "$opt" in
    n) rounds="$OPTARG" ;;
    r) risksim="$OPTARG" ;;
    b) baseline="$OPTARG" ;;
    c) config="$OPTARG" ;;
    o) csv="$OPTARG" ;;
    s) skip_numpy=1 ;;
    *) sed -n '2,24p' "$0"; exit 2 ;;
  esac
done

if [[ -z "$risksim" ]]; then
  if [[ -x "$root/artifacts/risksim/risksim" ]]; then
    risksim="$root/artifacts/risksim/risksim"
  elif [[ -x "$root/src/RiskSim.Cli/bin/Release/net10.0/risksim" ]]; then
    risksim="$root/src/RiskSim.Cli/bin/Release/net10.0/risksim"
  else
    echo "no risksim build found: run 'dotnet publish src/RiskSim.Cli -c Release -o artifacts/risksim' first, or pass -r" >&2
    exit 2
  fi
fi

peer="$root/../shared/peers/numpy/flagship.py"
if [[ $skip_numpy -eq 0 && ! -f "$peer" ]]; then
  echo "NumPy peer not found at $peer (pass -s to skip it)" >&2
  exit 2
fi

if [[ ! -x /usr/bin/time ]]; then
  echo "/usr/bin/time is needed (apt-get install time)" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
times="$work/times.tsv"
: > "$times"

cases=(risksim-full risksim-summary risksim-none risksim-10M)
if [[ -n "$baseline" ]]; then
  cases+=(baseline-full baseline-none)
fi
if [[ $skip_numpy -eq 0 ]]; then
  cases+=(numpy-1M numpy-10M)
fi

# The command of one case, in the array "cmd".
command_of() {
  case "$1" in
    risksim-full) cmd=("$risksim" run "$config" --quiet --out "$work/out") ;;
    risksim-summary) cmd=("$risksim" run "$config" --quiet --out "$work/out" --report summary) ;;
    risksim-none) cmd=("$risksim" run "$config" --quiet --out "$work/out" --report none) ;;
    risksim-10M) cmd=("$risksim" run "$config" --quiet --out "$work/out" --trials 10000000) ;;
    baseline-full) cmd=("$baseline" run "$config" --quiet --out "$work/out") ;;
    baseline-none) cmd=("$baseline" run "$config" --quiet --out "$work/out" --report none) ;;
    numpy-1M) cmd=(/usr/bin/python3 "$peer" "$config" --trials 1000000 --seed 1) ;;
    numpy-10M) cmd=(/usr/bin/python3 "$peer" "$config" --trials 10000000 --seed 1) ;;
  esac
}

echo "whole-process benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) logical CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "risksim: $risksim"
if [[ -n "$baseline" ]]; then
  echo "baseline: $baseline"
fi
echo "config: $config; $rounds rounds, interleaved"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# One untimed round first: the files and libraries come into the page cache for every case alike.
for name in "${cases[@]}"; do
  command_of "$name"
  "${cmd[@]}" > /dev/null 2>&1 || true
done

for ((round = 1; round <= rounds; round++)); do
  for name in "${cases[@]}"; do
    status=0
    command_of "$name"
    /usr/bin/time -f "%e %U %S" -o "$work/t" "${cmd[@]}" > /dev/null 2> "$work/err" || status=$?
    # Exit 3 (a risk gate failed) is a finished run; anything else is an error worth showing.
    if [[ $status -ne 0 && $status -ne 3 ]]; then
      echo "$name failed (exit $status):" >&2
      cat "$work/err" >&2
      exit 1
    fi
    read -r wall user sys < <(tail -1 "$work/t")
    printf '%s\t%d\t%s\t%s\t%s\n' "$name" "$round" "$wall" "$user" "$sys" >> "$times"
  done
done

echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "$csv" ]]; then
  { echo "case,round,wall_s,user_s,sys_s"; tr '\t' ',' < "$times"; } > "$csv"
fi

/usr/bin/python3 - "$times" "${cases[@]}" <<'PY'
import statistics, sys
path, cases = sys.argv[1], sys.argv[2:]
rows = [l.split("\t") for l in open(path).read().splitlines()]
wall = {c: [float(r[2]) for r in rows if r[0] == c] for c in cases}
cpu = {c: [float(r[3]) + float(r[4]) for r in rows if r[0] == c] for c in cases}
print()
print(f"{'case':<18}{'runs':>5}{'median wall':>13}{'min wall':>10}{'median CPU':>12}{'min CPU':>9}")
for c in cases:
    print(f"{c:<18}{len(wall[c]):>5}{statistics.median(wall[c]):>12.2f}s{min(wall[c]):>9.2f}s{statistics.median(cpu[c]):>11.2f}s{min(cpu[c]):>8.2f}s")
def ratio(a, b, what):
    if a in wall and b in wall:
        print(f"{what}: wall {statistics.median(wall[a]) / statistics.median(wall[b]):.2f}x, CPU {statistics.median(cpu[a]) / statistics.median(cpu[b]):.2f}x (medians)")
print()
ratio("numpy-1M", "risksim-full", "NumPy 1 M (no report) / risksim default job (full report)")
ratio("numpy-1M", "risksim-none", "NumPy 1 M / risksim 1 M --report none")
ratio("numpy-10M", "risksim-10M", "NumPy 10 M (no report) / risksim 10 M (full report)")
ratio("baseline-full", "risksim-full", "baseline / risksim, default job")
ratio("baseline-none", "risksim-none", "baseline / risksim, --report none")
PY
