#!/usr/bin/env bash
# PointMaze-v0 umaze (sparse reward: 1 on reaching the goal, which ends the
# episode; 300-step episodes) offline datasets, written under datasets/
# (git-ignored), D4RL maze2d-umaze's counterpart:
#
#   random         100000 steps of the uniformly random policy (seed 0; also the random reference return)
#   expert         100000 steps of the scripted waypoint controller (seed 1; also the expert reference return)
#   medium-replay  the replay buffer of Configs/sac-pointmaze.yaml (seed 0, 20000 steps: 10000 uniformly random,
#                  then 10000 of the SAC learner), D4RL's medium-replay construction; the learner never reaches
#                  a medium score on this sparse task (see the config), so the buffer is a learner's replay
#                  stopped at a fixed step, not at a medium score
#
#   Benchmarks/offline/make-pointmaze-datasets.sh        # from the repository root, after swift build -c release
set -euo pipefail
MBRL=${MBRL:-.build/release/mbrl}
OUT=${OUT:-datasets}
RUNS=${RUNS:-runs/offline-datasets-pointmaze}
THREADS=${THREADS:-1}
ENV=(--env PointMaze-v0 --settings layout=umaze reward=sparse)
mkdir -p "$OUT" "$RUNS/learner"

"$MBRL" dataset collect "${ENV[@]}" --policy random --steps 100000 --seed 0 --out "$OUT/pointmaze-umaze-random.npz"
"$MBRL" dataset collect "${ENV[@]}" --policy waypoint --level expert --steps 100000 --seed 1 --out "$OUT/pointmaze-umaze-expert.npz"

# medium-replay: the SAC learner's replay buffer (the run's final checkpoint holds all 20000 transitions)
[ -n "$(ls -d "$RUNS"/learner/PointMaze-v0__sac-pointmaze__0__* 2>/dev/null)" ] ||
    "$MBRL" run Configs/sac-pointmaze.yaml seed=0 --threads "$THREADS" --out "$RUNS/learner"
LEARNER=$(ls -d "$RUNS"/learner/PointMaze-v0__sac-pointmaze__0__* | sort | tail -1)
"$MBRL" dataset collect --from-replay "$LEARNER" --out "$OUT/pointmaze-umaze-medium-replay.npz"

for level in random expert medium-replay; do
    echo "== $level"; "$MBRL" dataset info "$OUT/pointmaze-umaze-$level.npz" --env PointMaze-v0 --settings layout=umaze reward=sparse
done
