#!/usr/bin/env bash
# Pendulum-v1 offline datasets at D4RL-like levels, written under datasets/
# (git-ignored), from two SAC runs of Configs/sac-pendulum.yaml (seed 0):
#
#   random         20000 steps of the uniformly random policy (seed 0)
#   expert         20000 steps of the deterministic policy of the full 20k-step run (seed 1)
#   medium         20000 steps of the deterministic policy of a run stopped at MEDIUM_STEPS (seed 2)
#   medium-replay  that stopped run's replay buffer (--from-replay)
#   mixed          whole episodes of random and expert, 0.5/0.5 (seed 0)
#
# A finished run's checkpoint is its state at the last step (policy and whole
# replay buffer), which is what --policy and --from-replay read.
#
#   Benchmarks/offline/make-pendulum-datasets.sh        # from the repository root, after swift build -c release
set -euo pipefail
MBRL=${MBRL:-.build/release/mbrl}
OUT=${OUT:-datasets}
RUNS=${RUNS:-runs/offline-datasets}
MEDIUM_STEPS=${MEDIUM_STEPS:-2000}
THREADS=${THREADS:-1}
mkdir -p "$OUT" "$RUNS/expert" "$RUNS/medium"

last_run() { ls -d "$1"/Pendulum-v1__sac-pendulum__0__* | sort | tail -1; }

# random (also the random reference return)
"$MBRL" dataset collect --env Pendulum-v1 --policy random --steps 20000 --seed 0 --out "$OUT/pendulum-random.npz"

# expert: the 20k-step SAC run (also the expert reference return)
[ -n "$(ls -d "$RUNS"/expert/Pendulum-v1__sac-pendulum__0__* 2>/dev/null)" ] ||
    "$MBRL" run Configs/sac-pendulum.yaml seed=0 --threads "$THREADS" --out "$RUNS/expert"
EXPERT=$(last_run "$RUNS/expert")
"$MBRL" dataset collect --policy "$EXPERT" --level expert --steps 20000 --seed 1 --out "$OUT/pendulum-expert.npz"

# medium: the same run stopped part-way; medium-replay: its replay buffer
[ -n "$(ls -d "$RUNS"/medium/Pendulum-v1__sac-pendulum__0__* 2>/dev/null)" ] ||
    "$MBRL" run Configs/sac-pendulum.yaml seed=0 total_steps="$MEDIUM_STEPS" --threads "$THREADS" --out "$RUNS/medium"
MEDIUM=$(last_run "$RUNS/medium")
"$MBRL" dataset collect --policy "$MEDIUM" --level medium --steps 20000 --seed 2 --out "$OUT/pendulum-medium.npz"
"$MBRL" dataset collect --from-replay "$MEDIUM" --out "$OUT/pendulum-medium-replay.npz"

# mixed: random and expert episodes, half each
"$MBRL" dataset mix "$OUT/pendulum-random.npz" "$OUT/pendulum-expert.npz" --fractions 0.5,0.5 --seed 0 \
    --out "$OUT/pendulum-mixed.npz"

for level in random expert medium medium-replay mixed; do
    echo "== $level"; "$MBRL" dataset info "$OUT/pendulum-$level.npz" --env Pendulum-v1
done
