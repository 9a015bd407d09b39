#!/usr/bin/env bash
# The one command for the GPU machine (device tool), from the repository root:
#   bash models/gpu/run.sh CONFIG [MINUTES] [more train_torch.py options]
# CONFIG is a path or a name under models/gpu/configs (e.g. unet-gaussian). MINUTES is the training
# time (default 6), which must leave room for start-up and the last checkpoint within one 10-minute
# command. Writes weights.npz, parity.npz, config.yaml, log.csv, run.json and train.out to $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?OUT must name the output folder (the device tool sets it)}"
cfg=${1:?usage: run.sh CONFIG [MINUTES] [options]}
minutes=${2:-6}
shift $(( $# < 2 ? $# : 2 ))
[[ -f $cfg ]] || cfg=models/gpu/configs/$cfg.yaml
data=models/gpu/carry/train-data.npz
[[ -f $data ]] || { echo "missing $data: run models/gpu/prepare_data.py and carry models/gpu/carry" >&2; exit 2; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || { echo "no NVIDIA GPU" >&2; exit 2; }
export PYTHONUNBUFFERED=1
python3 models/gpu/train_torch.py --config "$cfg" --data "$data" --out "$OUT" --minutes "$minutes" "$@" 2>&1 \
    | tee "$OUT/train.out"
