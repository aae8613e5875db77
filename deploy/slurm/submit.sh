#!/usr/bin/env bash
# Submits one Concord run to Slurm as an array job of SHARDS shards plus a merge job that starts
# only when every shard succeeded (--dependency=afterok). Shards share OUT, so it must be on a
# filesystem every node mounts. Edit the settings below (or set them in the environment), then:
#     bash deploy/slurm/submit.sh
# A shard that fails or is cancelled can be re-submitted alone (it finishes only what is missing):
#     sbatch --array=I deploy/slurm/shard.sbatch <the arguments printed below>
set -euo pipefail

# ---- settings ------------------------------------------------------------------------------------
SHARDS=${SHARDS:-8}                          # array tasks: each computes every SHARDS-th unit of the run
OUT=${OUT:-$PWD/results}                     # the run's --out, on a shared filesystem
MODEL=${MODEL:-gpt2}                         # a model folder, a hub name (downloaded once, here), or concord-tasks-small
TASKS=${TASKS:-all}                          # all, or e.g. ioi,sva
OPTIONS=${OPTIONS:-"--examples 64 --steps 50"}   # any further `concord run` options, the same for shards and merge
CPUS=${CPUS:-2}                              # CPUs per shard (libtorch uses this many threads)
MEM=${MEM:-8G}                               # memory per shard; GPT-2 small needs ~3 GB at the default --memory-budget
TIME=${TIME:-08:00:00}                       # wall-time limit per shard
PARTITION=${PARTITION:-}                     # empty: the cluster's default partition
CONCORD=${CONCORD:-}                         # a built concord executable; empty: this clone is built once, here
# ---------------------------------------------------------------------------------------------------

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [[ -z "$CONCORD" ]]; then
    # Built once into the clone (which the nodes must see, like OUT), not once per shard.
    dotnet build "$repo/src/Cli" -c Release -v q --nologo -o "$repo/artifacts/slurm/bin" >&2
    CONCORD="$repo/artifacts/slurm/bin/concord"
fi
[[ -x "$CONCORD" ]] || { echo "error: CONCORD=$CONCORD is not an executable concord" >&2; exit 2; }
[[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || { echo "error: SHARDS must be a positive whole number (got '$SHARDS')" >&2; exit 2; }

# Fetch hub models before the shards start, so they do not all download at once.
if [[ ! -d "$MODEL" && "$MODEL" != concord-tasks-small* && "$MODEL" != random* ]]; then
    "$CONCORD" model download "$MODEL" >&2
fi

mkdir -p "$OUT/slurm"
# shellcheck disable=SC2206  # OPTIONS is split into words on purpose
run=(run --model "$MODEL" --task "$TASKS" --out "$OUT" $OPTIONS)
resources=(--cpus-per-task="$CPUS" --mem="$MEM" --time="$TIME" ${PARTITION:+--partition="$PARTITION"})

shards=$(sbatch --parsable "${resources[@]}" --array="0-$((SHARDS - 1))" --job-name=concord-shard \
    --output="$OUT/slurm/shard-%a.log" "$here/shard.sbatch" "$CONCORD" "$SHARDS" "${run[@]}")
shards=${shards%%;*}   # --parsable prints "id" or "id;cluster"
merge=$(sbatch --parsable "${resources[@]}" --dependency="afterok:$shards" --kill-on-invalid-dep=yes --job-name=concord-merge \
    --output="$OUT/slurm/merge.log" "$here/merge.sbatch" "$CONCORD" "${run[@]}")
merge=${merge%%;*}

echo "shards: job $shards (array 0-$((SHARDS - 1)), logs $OUT/slurm/shard-N.log)"
echo "merge:  job $merge (after all shards succeed; log $OUT/slurm/merge.log; report $OUT/report.md)"
echo "re-run one shard: sbatch ${resources[*]} --array=I $here/shard.sbatch $CONCORD $SHARDS ${run[*]}"
echo "$shards $merge" > "$OUT/slurm/jobs"
