#!/usr/bin/env bash
# The model=auto choice's accuracy on a labelled mixed set (benchmarks/auto/make_set.py), and what the
# RNI15 photos get: prints confusion matrices and writes benchmarks/results/auto-choice.json.
#   benchmarks/auto/run.sh
# Environment: DATA_ROOT (default /work/shared/data), PYTHON (default models/.venv/bin/python: it has
# n2n_models; `make -C models venv`), OUT (default benchmarks/results/auto-choice.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA_ROOT=${DATA_ROOT:-/work/shared/data}
PYTHON=${PYTHON:-models/.venv/bin/python}
OUT=${OUT:-benchmarks/results/auto-choice.json}
MVN=${MVN:-./mvnw -B -ntp -q}
SET=benchmarks/results/tmp/auto

[ -f "$SET/labels.json" ] || PYTHONPATH=models/src "$PYTHON" benchmarks/auto/make_set.py --data-root "$DATA_ROOT" --out "$SET"

# the worker and common jars' classes plus their dependencies (package, never install)
$MVN package dependency:build-classpath -DskipTests -pl common,worker -am -Dmdep.outputFile="$PWD/benchmarks/results/tmp/classpath.txt" -Dmdep.includeScope=runtime
CP="worker/target/classes:common/target/classes:$(tr ':' '\n' < benchmarks/results/tmp/classpath.txt | grep -v '/io/noise2noise/' | paste -sd:)"
mkdir -p benchmarks/results/tmp/classes
javac -d benchmarks/results/tmp/classes -cp "$CP" benchmarks/java/io/noise2noise/bench/AutoChoiceBench.java
exec java -Xmx1g -cp "benchmarks/results/tmp/classes:$CP" io.noise2noise.bench.AutoChoiceBench \
  --set "$SET" --photos "$DATA_ROOT/real/RNI15" --out "$OUT"
