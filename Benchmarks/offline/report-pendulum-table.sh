#!/usr/bin/env bash
# The offline table's reports: one per dataset level, from the run directories
# of run-pendulum-table.sh, into docs/offline/LEVEL/ (report.md, report.csv,
# report.html, curve-eval-normalized-score.svg). The table is the final eval/normalized_score per run
# (the evaluation at the last gradient step), summarised over seeds.
# RUNS_ROOT, RUN_PREFIX and DOCS_PREFIX select another table (report-pointmaze-table.sh).
set -euo pipefail
MBRL=${MBRL:-.build/release/mbrl}
RUNS_ROOT=${RUNS_ROOT:-runs/offline}
RUN_PREFIX=${RUN_PREFIX:-Pendulum-v1__offline-pendulum-}
DOCS_PREFIX=${DOCS_PREFIX:-docs/offline/}
for level in "${@:-mixed medium-replay}"; do
    for l in $level; do
        "$MBRL" report "$RUNS_ROOT/$l/$RUN_PREFIX"* --group-by name \
            --metric eval/normalized_score --out "$DOCS_PREFIX$l"
    done
done
