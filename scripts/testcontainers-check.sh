#!/usr/bin/env bash
# Runs integration tests against containers (the containers backend of integration-tests, see
# io.noise2noise.it.Backend): a Kafka and a MinIO container through Testcontainers, on podman's
# Docker-compatible API, from the images docker-compose.yml names; gateway and worker run in the
# test JVM as usual. On machines with no Docker engine and no registry (docs/deploy.md,
# "Integration tests against containers"):
#   1. podman set-up and the local stand-ins for apache/kafka and minio/minio, built and tagged
#      with the compose file's names (scripts/container-check.sh --standins; cached, seconds when warm);
#   2. podman's API service on a socket (started here unless one already answers, stopped on exit);
#   3. mvn verify of integration-tests with -Dn2n.it.backend=containers, DOCKER_HOST on that socket
#      and Ryuk disabled (podman's API has no Ryuk image and no registry to pull it from);
#   4. a check that the test JVM removed its containers (then a sweep by label, also on failure).
#
#   scripts/testcontainers-check.sh
# Environment:
#   N2N_TC_TESTS     the test classes to run (surefire -Dtest, applied to every module of the reactor;
#                    default PipelineTest,StorageRetentionTest,JobLifecycleTest,ScaleOutTest)
#   N2N_TC_TIMEOUT   limit in seconds for the Maven run (default 1200)
#   N2N_TC_SOCKET    the API socket (default /run/podman/podman.sock)
# Exit status: 0 passed; 1 a test or check failed; 2 this machine cannot run it (the reason is printed).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

tests=${N2N_TC_TESTS:-PipelineTest,StorageRetentionTest,JobLifecycleTest,ScaleOutTest,MinioObjectStoreContractTest}
limit=${N2N_TC_TIMEOUT:-1200}
socket=${N2N_TC_SOCKET:-/run/podman/podman.sock}
label=io.noise2noise.it
service_pid=""
started=$(date +%s)

log() { echo "[testcontainers-check $(date +%H:%M:%S)] $*" >&2; }
cannot() { log "CANNOT RUN HERE: $*"; exit 2; }

api_up() { curl -fsS --max-time 5 --unix-socket "$socket" http://d/_ping > /dev/null 2>&1; }

sweep() {
  command -v podman > /dev/null || return 0
  podman ps -a -q --filter "label=$label" | xargs -r podman rm -f -t 5 > /dev/null 2>&1 || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  sweep
  if [ -n "$service_pid" ]; then
    log "stopping the podman API service (pid $service_pid)"
    kill "$service_pid" 2> /dev/null || true
    wait "$service_pid" 2> /dev/null || true
  fi
  log "total $(( $(date +%s) - started )) s"
  [ "$rc" -eq 0 ] && log "PASSED" || log "exit status $rc"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || cannot "podman here runs as root (docs/deploy.md); run this script as root"

t0=$(date +%s)
scripts/container-check.sh --standins   # also installs podman, curl and the rest from apt when missing
command -v java > /dev/null || cannot "needs a JDK 17 for the integration tests"
log "stand-ins ready in $(( $(date +%s) - t0 )) s"

if [ -n "$(podman ps -a -q --filter "label=$label")" ]; then
  log "removing containers an earlier run left behind"; sweep
fi

if api_up; then
  log "a podman API service already answers on $socket: using it"
else
  mkdir -p "$(dirname "$socket")"
  rm -f "$socket"
  podman system service --time=0 "unix://$socket" > /tmp/n2n-podman-service.log 2>&1 &
  service_pid=$!
  for _ in $(seq 50); do api_up && break; sleep 0.2; done
  api_up || { cat /tmp/n2n-podman-service.log >&2; log "FAILED: the podman API service did not answer on $socket"; exit 1; }
  log "podman API service started on $socket (pid $service_pid)"
fi

export DOCKER_HOST="unix://$socket"
export TESTCONTAINERS_RYUK_DISABLED=true
# the mapped ports on loopback (Testcontainers would otherwise pick podman's bridge address, as it
# believes it runs inside a container on these machines)
export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}
t0=$(date +%s)
log "mvn verify -pl integration-tests -am -Dn2n.it.backend=containers -Dtest=$tests"
rc=0
rm -rf integration-tests/target/surefire-reports   # only this run's results below
timeout -k 30 "$limit" ./mvnw -B -ntp verify -pl integration-tests -am -Dn2n.it.backend=containers \
  -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false || rc=$?
log "maven run: $(( $(date +%s) - t0 )) s, exit status $rc"
[ "$rc" -eq 124 ] && log "FAILED: the Maven run passed its ${limit} s"
for report in integration-tests/target/surefire-reports/*.txt; do
  [ -f "$report" ] && grep -h "Tests run" "$report" >&2 || true
done
[ "$rc" -eq 0 ] || exit 1

left=$(podman ps -a --filter "label=$label" --format '{{.Names}} {{.Image}}')
[ -z "$left" ] || { log "FAILED: the test JVM left containers behind: $left"; exit 1; }
