#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (Debian's slurm-wlm and munge), for the sharded-run
# integration test and for trying the README's sbatch example by hand. Its configuration, state, logs and
# process ids live in STATE_DIR only (nothing is written to /etc/slurm); clients reach it with
#   export SLURM_CONF=STATE_DIR/slurm.conf
# Usage: tests/slurm/start-slurm.sh STATE_DIR
# Exit 0 when the node is idle and takes jobs (prints "READY <slurm.conf>"); otherwise prints why on the last
# line and exits 3 when Slurm is not installed or cannot run here (the test then skips its Slurm part),
# 4 when it is installed but did not start. Stop it with tests/slurm/stop-slurm.sh STATE_DIR.
set -u
state=${1:?usage: start-slurm.sh STATE_DIR}
mkdir -p "$state" || { echo "cannot create $state"; exit 3; }
state=$(cd "$state" && pwd)

skip() { echo "SKIP: $*"; exit 3; }
fail() {
  echo "--- slurmctld.log"; tail -n 20 "$state/slurmctld.log" 2>/dev/null
  echo "--- slurmd.log"; tail -n 20 "$state/slurmd.log" 2>/dev/null
  echo "FAILED: $*"; exit 4
}

for c in munged munge unmunge slurmctld slurmd sbatch sinfo squeue; do
  command -v "$c" > /dev/null 2>&1 || skip "'$c' not found: install Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge; .ci/run does it when it runs as root)"
done
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root here (SlurmUser=root), and this is uid $(id -u)"

# Two free TCP ports for slurmctld and slurmd (another cluster on the default 6817/6818 must not be disturbed).
in_use() { ss -Htln 2>/dev/null | awk '{print $4}' | grep -Eq "[:.]$1\$"; }
ports=()
for p in $(seq 16817 16900); do
  in_use "$p" || ports+=("$p")
  [ "${#ports[@]}" -ge 2 ] && break
done
[ "${#ports[@]}" -ge 2 ] || fail "no free port in 16817-16900"

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$state/ctld" "$state/spool"
cat > "$state/slurm.conf" <<CONF
ClusterName=risksim
SlurmctldHost=$host
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
echo "CgroupPlugin=cgroup/v1" > "$state/cgroup.conf" # slurm 22.05 has no "disabled"; task/none and proctrack/linuxproc do not use it
export SLURM_CONF="$state/slurm.conf"

# munge: reuse a running daemon, else start one (its key comes with the package) and remember its pid.
if ! munge -n 2>/dev/null | unmunge > /dev/null 2>&1; then
  mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null
  [ -r /etc/munge/munge.key ] || skip "no /etc/munge/munge.key (the munge package creates it)"
  su -s /bin/sh munge -c "munged --force" || fail "munged did not start"
  for _ in $(seq 1 20); do [ -s /run/munge/munged.pid ] && break; sleep 0.25; done
  cat /run/munge/munged.pid > "$state/munged.pid" 2>/dev/null
  munge -n | unmunge > /dev/null 2>&1 || fail "munge does not answer after starting munged"
fi

slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"

# Wait (at most 30 s) for the node to be idle.
for _ in $(seq 1 60); do
  st=$(sinfo -h -o %t 2>/dev/null | head -n 1)
  [ "$st" = "idle" ] && { echo "READY $SLURM_CONF"; exit 0; }
  sleep 0.5
done
fail "the node is not idle after 30 s (sinfo says '${st:-nothing}')"
