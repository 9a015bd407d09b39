#!/usr/bin/env bash
# The one command for the GPU machine (device tool), from the repository root:
#   bash models/gpu/run.sh MINUTES CONFIG [CONFIG...]
# Trains every CONFIG (a path or a name under models/gpu/configs, e.g. unet-gaussian) at the same
# time on the one GPU (small convolutions leave a GPU idle between kernels; several runs fill it),
# each for MINUTES of training time, then times the architectures' inference
# (benchmarks/gpu/infer_torch.py). MINUTES must leave room for start-up (~30 s), the last checkpoint
# and the benchmark (~1 min) within one 10-minute command. Each run's outputs (weights.npz,
# parity.npz, config.yaml, log.csv, run.json, train.out) come back as $OUT/<config>.tar.gz, the
# benchmark as $OUT/infer.json (INFER=0 skips it): the device tool returns at most 8 files, so at most 6 configs.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?OUT must name the output folder (the device tool sets it)}"
minutes=${1:?usage: run.sh MINUTES CONFIG [CONFIG...]}
shift
(( $# >= 1 && $# <= 6 )) || { echo "usage: run.sh MINUTES CONFIG [CONFIG...] (1 to 6 configs)" >&2; exit 2; }
data=models/gpu/carry/train-data.npz
[[ -f $data ]] || { echo "missing $data: run models/gpu/prepare_data.py and carry models/gpu/carry" >&2; exit 2; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || { echo "no NVIDIA GPU" >&2; exit 2; }
export PYTHONUNBUFFERED=1
runs=$(mktemp -d)
declare -A pids
for cfg in "$@"; do
  name=$(basename "$cfg" .yaml)
  [[ -f $cfg ]] || cfg=models/gpu/configs/$name.yaml
  [[ -f $cfg ]] || { echo "no config $cfg" >&2; exit 2; }
  mkdir -p "$runs/$name"
  python3 models/gpu/train_torch.py --config "$cfg" --data "$data" --out "$runs/$name" --minutes "$minutes" \
      > "$runs/$name/train.out" 2>&1 &
  pids[$name]=$!
done
status=0
for name in "${!pids[@]}"; do
  if wait "${pids[$name]}"; then echo "== $name: done"; else echo "== $name: FAILED"; status=1; fi
  tail -n 25 "$runs/$name/train.out"
  tar -czf "$OUT/$name.tar.gz" -C "$runs" "$name"
done
if [[ ${INFER:-1} == 1 ]]; then
  python3 benchmarks/gpu/infer_torch.py --archs fastdn,unet --out "$OUT/infer.json" || status=1
fi
exit $status
