#!/usr/bin/env bash
# CPU benchmark: the worker's inference path (DJL TensorFlow and ONNX Runtime) vs the same model from
# Python (TensorFlow) and OpenCV non-local means, on 0.4/4/12/40 MP noisy images.
#   benchmarks/run.sh [InferenceBench run options, e.g. --sizes 0.4,4 --runs 5 --big-runs 1]
# Environment: DATA_ROOT (default /work/shared/data; CBSD68 mosaics, synthetic content without it),
# THREADS (default: nproc), PYTHON (default benchmarks/.venv/bin/python, created on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-$(nproc)}
DATA_ROOT=${DATA_ROOT:-/work/shared/data}
PYTHON=${PYTHON:-benchmarks/.venv/bin/python}
MVN=${MVN:-./mvnw -B -ntp -q}

if [ ! -x "$PYTHON" ]; then
  python3.11 -m venv benchmarks/.venv
  benchmarks/.venv/bin/pip install -q -r benchmarks/python/requirements.txt
  PYTHON=benchmarks/.venv/bin/python
fi

# the worker and common classes plus their dependencies (package, never install): in one reactor, so
# common resolves to this checkout's build (a fresh ~/.m2 has no snapshot of it, and a stale one must not count)
# (each module writes the file; the worker, last, leaves its own)
$MVN package dependency:build-classpath -DskipTests -pl common,worker -am \
  -Dmdep.outputFile="$PWD/benchmarks/results/tmp/classpath.txt" -Dmdep.includeScope=runtime
CP="worker/target/classes:common/target/classes:$(tr ':' '\n' < benchmarks/results/tmp/classpath.txt | grep -v '/io/noise2noise/' | paste -sd:)"
mkdir -p benchmarks/results/tmp/classes
javac -d benchmarks/results/tmp/classes -cp "$CP" $(find benchmarks/java -name '*.java')
CP="benchmarks/results/tmp/classes:$CP"

data_args=()
[ -d "$DATA_ROOT/eval/CBSD68" ] && data_args=(--data-root "$DATA_ROOT")
"$PYTHON" benchmarks/python/bench.py inputs --out benchmarks/results/tmp/inputs --sizes 0.4,4,12,40 "${data_args[@]}"

exec java -Xmx256m -cp "$CP" io.noise2noise.bench.InferenceBench run --threads "$THREADS" --python "$PYTHON" "$@"
