#!/usr/bin/env bash
# Stops what tests/slurm/start-slurm.sh STATE_DIR started (slurmd, slurmctld, and munged if it started one), by the
# process ids it recorded, and removes nothing else. Usage: tests/slurm/stop-slurm.sh STATE_DIR
set -u
state=${1:?usage: stop-slurm.sh STATE_DIR}
for name in slurmd slurmctld munged; do
  f="$state/$name.pid"
  [ -s "$f" ] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$f"
done
exit 0
