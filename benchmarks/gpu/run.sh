#!/usr/bin/env bash
# GPU benchmark, prepared for one NVIDIA H100 (or any CUDA GPU); run from the repository root:
#   benchmarks/gpu/run.sh [--skip-java] [--skip-python-tf]
# Writes benchmarks/results/gpu-<host>-<date>*.json and prints tables. Steps, each skipped with a
# note when its prerequisites are missing:
#   1. the machine: nvidia-smi, CPU, load;
#   2. model only: models/zoo/*/model.onnx interpreted by PyTorch on the GPU (fp32/fp16/bf16, tiles of
#      512 at batch 1/8/32 and whole 4/12/40 MP images), checked against onnxruntime on the CPU;
#   3. the worker's path: InferenceBench with DJL's ONNX Runtime engine on CUDA (the onnxruntime_gpu
#      jar swapped for the CPU one) and tile batches 1/8/32, 0.4-40 MP; needs Java 17 and Maven, and
#      CUDA 12 + cuDNN 9 libraries for ONNX Runtime 1.21;
#   4. the same model from Python TensorFlow on the GPU (needs tensorflow[and-cuda]==2.16.2).
set -uo pipefail
cd "$(dirname "$0")/../.."
STAMP="$(hostname)-$(date -u +%Y%m%d-%H%M%S)"
OUT=benchmarks/results
mkdir -p "$OUT/tmp"
SKIP_JAVA=0; SKIP_PY_TF=0
for a in "$@"; do
  case "$a" in --skip-java) SKIP_JAVA=1 ;; --skip-python-tf) SKIP_PY_TF=1 ;; esac
done
PY=${PYTHON:-python3}

echo "== 1. machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv || { echo "no NVIDIA GPU"; exit 1; }
echo "nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo); load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 2. model only: model.onnx through PyTorch on the GPU"
if $PY -c 'import torch, onnx; assert torch.cuda.is_available()' 2>/dev/null; then
  $PY benchmarks/gpu/onnx_torch.py --model models/zoo/text/model.onnx --out "$OUT/gpu-$STAMP-torch.json"
else
  echo "skipped: needs python3 with torch (CUDA) and onnx"
fi

if [ "$SKIP_JAVA" = 0 ] && command -v java >/dev/null && command -v mvn >/dev/null; then
  echo "== 3. the worker's path: DJL ONNX Runtime on CUDA"
  MVN="mvn -B -ntp -q"
  $MVN dependency:get -Dartifact=com.microsoft.onnxruntime:onnxruntime_gpu:1.21.1 || exit 1
  # one reactor: common resolves to this checkout's build, not to a snapshot in ~/.m2 (none is installed)
  $MVN package dependency:build-classpath -DskipTests -pl common,worker -am \
      -Dmdep.outputFile="$PWD/$OUT/tmp/classpath.txt" -Dmdep.includeScope=runtime || exit 1
  GPU_JAR="$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/1.21.1/onnxruntime_gpu-1.21.1.jar"
  CP="worker/target/classes:common/target/classes:$(tr ':' '\n' < "$OUT/tmp/classpath.txt" \
      | grep -v '/io/noise2noise/' | grep -v '/onnxruntime/onnxruntime/' | paste -sd:):$GPU_JAR"
  mkdir -p "$OUT/tmp/classes"
  javac -d "$OUT/tmp/classes" -cp "$CP" $(find benchmarks/java -name '*.java') || exit 1
  $PY benchmarks/python/bench.py inputs --out "$OUT/tmp/inputs" --sizes 0.4,4,12,40
  for batch in 1 8 32; do
    java -Xmx256m -cp "$OUT/tmp/classes:$CP" io.noise2noise.bench.InferenceBench run \
      --inputs "$OUT/tmp/inputs" --sizes 0.4,4,12,40 --runs 5,5,5,3 --engines onnxruntime \
      --python-methods none --threads "$(nproc)" --batch "$batch" --out "$OUT/gpu-$STAMP-djl-ort-batch$batch.json"
  done
else
  echo "== 3. skipped: needs java 17 and mvn (or --skip-java given)"
fi

if [ "$SKIP_PY_TF" = 0 ] && $PY -c 'import tensorflow as tf; assert tf.config.list_physical_devices("GPU")' 2>/dev/null; then
  echo "== 4. the same model from Python TensorFlow on the GPU"
  for size in 0.4 4 12 40; do
    $PY benchmarks/python/bench.py tf --image "$OUT/tmp/inputs/noisy-${size}mp.png" --runs 5 --threads "$(nproc)" \
      | tee -a "$OUT/gpu-$STAMP-python-tf.jsonl"
  done
else
  echo "== 4. skipped: needs tensorflow[and-cuda]==2.16.2 seeing the GPU"
fi
