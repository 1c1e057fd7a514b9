#!/usr/bin/env bash
# Runs Configs/offline-pendulum.yaml's variants (a comma-separated subset, so
# two processes can share the variants) on one Pendulum dataset of
# make-pendulum-datasets.sh, seeds 0,1,2, into runs/offline/LEVEL/.
#
#   Benchmarks/offline/run-pendulum-table.sh medium-replay mopo,morel,bc [override ...]
#
# Extra arguments are `mbrl run` overrides (e.g. offline.gradient_steps=10000).
# CONFIG, DATASET_PREFIX and OUT_ROOT select another table (run-pointmaze-table.sh).
set -euo pipefail
MBRL=${MBRL:-.build/release/mbrl}
SOURCE_CONFIG=${CONFIG:-Configs/offline-pendulum.yaml}
DATASET_PREFIX=${DATASET_PREFIX:-pendulum}
LEVEL=$1; VARIANTS=$2; shift 2
OUT=${OUT_ROOT:-runs/offline}/$LEVEL
mkdir -p "$OUT"
CONFIG=$(mktemp "$OUT/$(basename "$SOURCE_CONFIG" .yaml).XXXXXX.yaml")
python3 - "$SOURCE_CONFIG" "$VARIANTS" > "$CONFIG" <<'PY'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
keep = sys.argv[2].split(",")
missing = [v for v in keep if v not in config["variants"]]
if missing: sys.exit(f"no such variants: {missing}")
config["variants"] = {k: v for k, v in config["variants"].items() if k in keep}
print(yaml.safe_dump(config, sort_keys=False))
PY
exec "$MBRL" run "$CONFIG" "offline.dataset=datasets/$DATASET_PREFIX-$LEVEL.npz" 'seeds=[0,1,2]' --threads 1 --quiet --out "$OUT" "$@"
