#!/usr/bin/env bash
# Runs Configs/offline-pointmaze.yaml's variants (a comma-separated subset) on
# one PointMaze umaze dataset of make-pointmaze-datasets.sh, seeds 0,1,2, into
# runs/offline-pointmaze/LEVEL/ (run-pendulum-table.sh with this config).
#
#   Benchmarks/offline/run-pointmaze-table.sh medium-replay mopo,morel,bc [override ...]
set -euo pipefail
CONFIG=Configs/offline-pointmaze.yaml DATASET_PREFIX=pointmaze-umaze OUT_ROOT=runs/offline-pointmaze \
    exec "$(dirname "$0")/run-pendulum-table.sh" "$@"
