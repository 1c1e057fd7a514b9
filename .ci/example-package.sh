#!/usr/bin/env bash
# Builds Examples/CustomEnvironment from a clean copy, as a user would (its own
# package, depending on this repository by path), checks both of its
# environments through its own CLI and runs its configs for a few steps.
# Called by Tests/mbrlTests/ExamplePackageTests.swift (MBRL_EXAMPLE_PACKAGE_TEST=1).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$repo/Examples/CustomEnvironment" "$work/"
rm -rf "$work/CustomEnvironment/.build" "$work/CustomEnvironment/runs"
sed -i "s|path: \"../..\"|path: \"$repo\"|" "$work/CustomEnvironment/Package.swift"
cd "$work/CustomEnvironment"
swift build -c release 2>&1 | tail -n 3
bin=.build/release/my-mbrl
"$bin" env list | grep -E "PointMass-v0|Corridor-v0"
"$bin" env check PointMass-v0
"$bin" env check Corridor-v0 --settings length=5
"$bin" run Configs/point-mass-pets.yaml trials=1 initial_random_steps=50 model.epochs_per_trial=2 planner.population=20 --out runs --quiet
"$bin" run Configs/corridor-dyna-q.yaml dyna_q.episodes=3 --out runs --quiet
for run in runs/*; do
  test -s "$run/metrics.jsonl" && test -s "$run/summary.json" && echo "metrics: $run/metrics.jsonl"
done
