#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for testing the real sbatch path of submit.sh:
# munged, slurmctld and slurmd as root, every file (config, key, state, logs) under one folder,
# no cgroups. Debian/Ubuntu only; installs slurmctld, slurmd, slurm-client and munge if missing.
#     deploy/slurm/local-cluster.sh start [DIR]   # prints the SLURM_CONF line to export
#     deploy/slurm/local-cluster.sh stop  [DIR]   # stops the daemons it started, by their PIDs
# Exit codes: 0 started/stopped, 3 Slurm cannot run here (not root, no apt, packages unavailable,
# a daemon that does not come up); the message says which.
set -euo pipefail

action=${1:-}
dir=${2:-${CONCORD_SLURM_DIR:-/tmp/concord-slurm}}
unavailable() { echo "local-cluster: $*" >&2; exit 3; }

stop() {
    for daemon in slurmd slurmctld munged; do
        if [[ -f "$dir/$daemon.pid" ]]; then
            pid=$(cat "$dir/$daemon.pid")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
            rm -f "$dir/$daemon.pid"
        fi
    done
}

install() {
    command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null && return
    [[ $(id -u) -eq 0 ]] || unavailable "Slurm is not installed and installing it needs root"
    command -v apt-get >/dev/null || unavailable "Slurm is not installed and there is no apt-get to install it"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge; } >"$dir/apt.log" 2>&1 \
        || unavailable "could not install slurmctld slurmd slurm-client munge (see $dir/apt.log)"
}

start() {
    [[ $(id -u) -eq 0 ]] || unavailable "the daemons run as root here; run as root"
    mkdir -p "$dir"
    stop
    install
    rm -rf "$dir/state" "$dir/spool" "$dir/munge"
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    chmod 700 "$dir/munge"
    # The key: 1 KiB of random bytes, readable by the daemon's user only (munged refuses anything looser).
    head -c 1024 /dev/urandom > "$dir/munge/munge.key"
    chmod 400 "$dir/munge/munge.key"
    local host cpus memory
    host=$(hostname)
    cpus=$(nproc)
    memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
    cat > "$dir/slurm.conf" <<CONF
ClusterName=concord-local
SlurmctldHost=$host
SlurmctldPort=${CONCORD_SLURM_PORT:-6917}
SlurmdPort=$(( ${CONCORD_SLURM_PORT:-6917} + 1 ))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.daemon.pid
SlurmdPidFile=$dir/slurmd.daemon.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    # Foreground daemons in the background: their PIDs are ours to stop, whatever they fork.
    setsid munged -F --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munge.seed" --log-file="$dir/munged.log" \
        </dev/null >>"$dir/munged.log" 2>&1 &
    echo $! > "$dir/munged.pid"
    for _ in $(seq 50); do [[ -S "$dir/munge/munge.socket" ]] && break; sleep 0.1; done
    [[ -S "$dir/munge/munge.socket" ]] || { stop; unavailable "munged did not start (see $dir/munged.log)"; }
    export SLURM_CONF="$dir/slurm.conf"
    setsid slurmctld -D -i -f "$dir/slurm.conf" </dev/null >>"$dir/slurmctld.log" 2>&1 &
    echo $! > "$dir/slurmctld.pid"
    setsid slurmd -D -N "$host" -f "$dir/slurm.conf" </dev/null >>"$dir/slurmd.log" 2>&1 &
    echo $! > "$dir/slurmd.pid"
    for _ in $(seq 150); do
        state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
        [[ "$state" == idle* || "$state" == mix* || "$state" == alloc* ]] && break
        sleep 0.2
    done
    [[ "$state" == idle* || "$state" == mix* || "$state" == alloc* ]] \
        || { stop; unavailable "the node did not come up (state '${state:-none}'; see $dir/slurmctld.log and $dir/slurmd.log)"; }
    echo "export SLURM_CONF=$dir/slurm.conf"
}

case "$action" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
