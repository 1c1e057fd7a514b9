#!/usr/bin/env bash
# The PointMaze umaze table's reports, one per dataset level (default
# medium-replay), from the run directories of run-pointmaze-table.sh into
# docs/offline/pointmaze-LEVEL/ (report-pendulum-table.sh with these paths).
set -euo pipefail
RUNS_ROOT=runs/offline-pointmaze RUN_PREFIX=PointMaze-v0__offline-pointmaze- DOCS_PREFIX=docs/offline/pointmaze- \
    exec "$(dirname "$0")/report-pendulum-table.sh" "${@:-medium-replay}"
