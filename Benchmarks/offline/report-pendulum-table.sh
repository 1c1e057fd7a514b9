#!/usr/bin/env bash
# The offline table's reports: one per dataset level, from the run directories
# of run-pendulum-table.sh, into docs/offline/LEVEL/ (report.md, report.csv,
# report.html, curve-eval-normalized-score.svg). The table is the final eval/normalized_score per run
# (the evaluation at the last gradient step), summarised over seeds.
set -euo pipefail
MBRL=${MBRL:-.build/release/mbrl}
for level in "${@:-mixed medium-replay}"; do
    for l in $level; do
        "$MBRL" report runs/offline/$l/Pendulum-v1__offline-pendulum-* --group-by name \
            --metric eval/normalized_score --out docs/offline/$l
    done
done
