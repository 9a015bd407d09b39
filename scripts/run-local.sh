#!/usr/bin/env bash
# Runs the whole system on loopback without Docker: Kafka (KRaft) on 9092, S3Proxy on 9000, the
# gateway on 8080 (health on 8090) and one worker (health on 8091) with the shipped models. State lives in .run/.
# Ctrl-C stops everything. Expects `make build` to have run (make run does it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
state=${N2N_RUN_DIR:-$here/.run}
mkdir -p "$state"
access_key=n2n-local
secret_key=n2n-local-secret

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

wait_for_port() {
  local port=$1 name=$2
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "$name did not open port $port; see $state/*.log" >&2
  exit 1
}

scripts/kafka-broker.sh 9092 9093 "$state/kafka" > "$state/kafka.log" 2>&1 & pids+=($!)
scripts/s3-server.sh 9000 "$state/s3" "$access_key" "$secret_key" > "$state/s3.log" 2>&1 & pids+=($!)
wait_for_port 9092 kafka
wait_for_port 9000 s3proxy

common_args=(--server.address=127.0.0.1 --management.server.address=127.0.0.1 --n2n.storage.endpoint=http://127.0.0.1:9000 --n2n.storage.access-key=$access_key
         --n2n.storage.secret-key=$secret_key)
java -jar api-gateway/target/api-gateway-*-exec.jar "${common_args[@]}" > >(sed -u 's/^/[gateway] /') 2>&1 & pids+=($!)
# an OutOfMemoryError ends the worker (its job is redelivered) instead of leaving its listener stopped
java -XX:+ExitOnOutOfMemoryError -Dai.djl.offline=true -DDJL_CACHE_DIR="$state/djl" -Dorg.bytedeco.javacpp.cachedir="$state/javacpp" \
  -jar worker/target/worker-*-exec.jar "${common_args[@]}" --n2n.inference.models-dir="$here/models/zoo" \
  > >(sed -u 's/^/[worker] /') 2>&1 & pids+=($!)
wait_for_port 8080 gateway
wait_for_port 8090 "gateway management"
echo "noise2noise is up: gateway http://127.0.0.1:8080 (POST / or /v1/jobs; health and metrics on :8090, the worker's on :8091), S3 http://127.0.0.1:9000, Kafka 127.0.0.1:9092. Ctrl-C stops."
wait
