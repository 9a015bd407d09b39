#!/usr/bin/env bash
# Verifies the container deployment with podman, as CI can run it on a machine that has no Docker
# engine and reaches no container registry (see docs/deploy.md, "Checking the containers"):
#   1. one-time podman set-up (apt, /etc/containers/containers.conf), as root;
#   2. debian:bookworm-slim made with debootstrap when it is not there;
#   3. the gateway and worker images built from their real Dockerfiles (podman build --format
#      docker --network=host), Maven inside the build reaching Maven Central;
#   4. local stand-ins for apache/kafka, minio/minio and minio/mc (deploy/standins/), tagged with
#      the names docker-compose.yml uses;
#   5. the real docker-compose.yml up with podman-compose (with fresh random credentials: the file
#      has no defaults, and refusing to start without them is checked); published ports on
#      127.0.0.1 only; the services on the restricted S3 user, which is refused everything outside
#      bucket n2n; a legacy POST / and a /v1/jobs job through it; the workers scaled to 2 and more
#      jobs through both; the stack torn down. The requests are scripts/container_check.py's (the
#      API client it shares with the load benchmarks is the clients/python package).
# Every phase is timed and bounded; the stack, its volumes and temporary files are removed on exit
# (the images are kept for the next run unless N2N_CHECK_REMOVE_IMAGES=1).
#
#   scripts/container-check.sh
#   scripts/container-check.sh --standins   only steps 1, 2 and 4 (what scripts/testcontainers-check.sh needs)
#   scripts/container-check.sh --setup      only step 1 (what scripts/fresh-root-check.sh runs in a bare root)
# Environment:
#   N2N_CHECK_TIMEOUT      overall limit in seconds (default 3600)
#   N2N_EXTRA_CA_FILE      PEM file passed to the builds as EXTRA_CA_CERTS (default: the host's
#                          /usr/local/share/ca-certificates/*.crt, i.e. a TLS-intercepting proxy's CA)
#   N2N_TOOLS_DIR          cache for podman-compose and the MinIO binaries (default .tools/)
#   N2N_CHECK_REMOVE_IMAGES=1  also remove the images built here
#   N2N_S3_ROOT_USER, N2N_S3_ROOT_PASSWORD, N2N_S3_ACCESS_KEY, N2N_S3_SECRET_KEY  the compose
#                          file's credentials (default: random for this run)
# Exit status: 0 all checks passed; 1 a check failed; 2 this machine cannot run the check (the
# reason is printed, e.g. not root, no podman and no apt, ports 8080/9000/9001 taken).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

MINIO_MODULE_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c   # github.com/minio/minio, see docs/deploy.md
MC_MODULE_VERSION=v0.0.0-20250313080218-cf909e1063a9      # github.com/minio/mc
PODMAN_COMPOSE_VERSION=1.6.0
project=n2ncheck
overall_limit=${N2N_CHECK_TIMEOUT:-3600}
tools=${N2N_TOOLS_DIR:-$here/.tools}
mkdir -p "$tools"; tools=$(cd "$tools" && pwd)
work=$(mktemp -d /tmp/n2n-container-check.XXXXXX)
started=$(date +%s)
timings=()
health_pid=""
phase_pid=""
watchdog_pid=""

log() { echo "[container-check $(date +%H:%M:%S)] $*" >&2; }
cannot() { log "CANNOT RUN HERE: $*"; exit 2; }
fail() { log "FAILED: $*"; exit 1; }

# the image of each compose service, what this script builds or tags locally (read_images, after the set-up)
declare -A image=()

# --foreground: timeout(1) stays in the phase's process group, so a phase's watchdog stops podman-compose too
compose() { timeout --foreground 600 "$tools/compose-venv/bin/podman-compose" -p "$project" -f docker-compose.yml "$@"; }

sweep() { # whatever podman-compose leaves behind: scaled replicas, its pod, volumes, the network
  # --external: also a container a killed `podman create` left in storage only, which holds its name
  podman ps -a --external --format '{{.Names}}' | grep "^${project}_" | xargs -r podman rm -f -t 5 > /dev/null 2>&1 || true
  # a pod an interrupted run left keeps its lock number; once /dev/shm (podman's locks) is reset, new objects
  # may be given the same lock, and `podman create` in that pod deadlocks on itself
  podman pod ls --format '{{.Name}}' | grep -x "pod_${project}" | xargs -r podman pod rm -f > /dev/null 2>&1 || true
  podman volume ls --format '{{.Name}}' | grep "^${project}_" | xargs -r podman volume rm -f > /dev/null 2>&1 || true
  podman network ls --format '{{.Name}}' | grep "^${project}_" | xargs -r podman network rm -f > /dev/null 2>&1 || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$phase_pid" ] && kill -- "-$phase_pid" "-$watchdog_pid" 2>/dev/null || true
  [ -n "$health_pid" ] && kill "$health_pid" 2>/dev/null || true
  if [ -x "$tools/compose-venv/bin/podman-compose" ] && command -v podman >/dev/null; then
    if podman ps -a --format '{{.Names}}' 2>/dev/null | grep -q "^${project}_"; then
      log "tearing the stack down"
      compose logs > "$work/compose.log" 2>&1 || true
      [ "$rc" -ne 0 ] && { log "last log lines of the stack:"; tail -n 60 "$work/compose.log" >&2 || true; }
      compose down -v -t 30 > /dev/null 2>&1 || true
    fi
    sweep
    if [ "${N2N_CHECK_REMOVE_IMAGES:-0}" = 1 ] && [ ${#image[@]} -gt 0 ]; then
      podman rmi -f "${image[@]}" > /dev/null 2>&1 || true
    fi
  fi
  rm -rf "$work"
  if [ ${#timings[@]} -gt 0 ]; then
    log "timings (seconds):"
    printf '  %-48s %6s\n' "${timings[@]}" >&2
    printf '  %-48s %6s\n' "total" "$(( $(date +%s) - started ))" >&2
  fi
  [ "$rc" -eq 0 ] && log "ALL CHECKS PASSED" || log "exit status $rc"
  exit "$rc"
}
# phase NAME LIMIT_SECONDS COMMAND...: runs a phase with a time limit and records how long it took.
# Job control is on for its two `&`s only, so that the phase and its watchdog each get a process
# group: at the limit the watchdog stops all the phase started (podman, go, mvn), and stopping the
# watchdog stops its sleep too.
phase() {
  local name=$1 limit=$2 t0 rc=0 left
  shift 2
  left=$(( overall_limit - ($(date +%s) - started) ))
  [ "$left" -gt 0 ] || fail "overall limit of ${overall_limit}s reached before '$name'"
  [ "$limit" -lt "$left" ] || limit=$left
  log "== $name (limit ${limit}s)"
  t0=$(date +%s)
  rm -f "$work/phase-timed-out"
  set -m
  "$@" < /dev/null &
  phase_pid=$!
  { sleep "$limit"; touch "$work/phase-timed-out"; kill -- "-$phase_pid"; sleep 20; kill -KILL -- "-$phase_pid"; } > /dev/null 2>&1 &
  watchdog_pid=$!
  set +m
  wait "$phase_pid" || rc=$?
  kill -- "-$watchdog_pid" 2> /dev/null || true
  phase_pid="" watchdog_pid=""
  timings+=("$name" "$(( $(date +%s) - t0 ))")
  [ -f "$work/phase-timed-out" ] && fail "'$name' ran past its ${limit}s"
  [ "$rc" -eq 2 ] && exit 2
  [ "$rc" -eq 0 ] || fail "'$name' (exit status $rc)"
}

# ---------------------------------------------------------------------------------------------
# What the container steps run, as Debian bookworm packages, installed without Recommends so that
# this list is the whole of it (scripts/fresh-root-check.sh proves it in a bare debootstrap root):
#   podman conmon runc catatonit    the engine, its monitor, the OCI runtime containers.conf names,
#                                   the init podman's pause image uses
#   netavark aardvark-dns iptables  podman's network stack: bridges, compose's DNS names, and the
#                                   NAT / port-publishing rules netavark 1.4 writes with iptables
#   buildah fuse-overlayfs slirp4netns uidmap   what podman and buildah recommend (overlay storage
#                                   without kernel support, rootless networking, user namespaces)
#   debootstrap debian-archive-keyring          debian:bookworm-slim made locally (base_image)
#   python3 python3-venv ca-certificates curl   podman-compose from PyPI, the request checks
#                                   (scripts/container_check.py), testcontainers-check's API probe
# Not installed here, what the project's build needs anyway: mvn and a JDK 17 (Kafka stand-in,
# testcontainers-check), and go (MinIO stand-ins; Debian's golang-go 1.19 is too old for MinIO's go.mod).
PODMAN_PACKAGES=(podman conmon runc catatonit netavark aardvark-dns iptables buildah fuse-overlayfs
  slirp4netns uidmap debootstrap debian-archive-keyring python3 python3-venv ca-certificates curl)

missing_packages() {
  local p
  for p in "${PODMAN_PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"
  done
}

setup_podman() {
  local missing
  if command -v dpkg-query > /dev/null && command -v apt-get > /dev/null; then
    missing=$(missing_packages | tr '\n' ' ')
    if [ -n "$missing" ]; then
      log "installing from apt: $missing"
      apt-get update -qq
      # shellcheck disable=SC2086  # one word per package
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing > "$work/apt.log" 2>&1 \
        || { tail -30 "$work/apt.log" >&2; return 1; }
    fi
  else
    for c in podman iptables debootstrap curl python3; do
      command -v "$c" > /dev/null || cannot "needs $c and there is no apt-get to install it (packages: ${PODMAN_PACKAGES[*]})"
    done
  fi
  # netavark cannot set up a bridge network without it: fail here, not at "compose up"
  iptables -w -t nat -S > /dev/null 2> "$work/iptables.err" \
    || { cat "$work/iptables.err" >&2; log "iptables cannot list the nat table (netavark needs it)"; return 1; }
  if [ ! -f /etc/containers/containers.conf ]; then
    # what these machines need (docs/deploy.md): runc (cgroup v1/v2 hybrid), ulimits root may set;
    # netavark named, so podman does not probe Debian's CNI example config (no CNI plugins here)
    mkdir -p /etc/containers
    cat > /etc/containers/containers.conf <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_backend = "netavark"
EOF
  fi
  if [ ! -x "$tools/compose-venv/bin/podman-compose" ]; then
    python3 -m venv "$tools/compose-venv"
    "$tools/compose-venv/bin/pip" install --quiet "podman-compose==$PODMAN_COMPOSE_VERSION"
  fi
  podman --version >&2
  # grep reads to the end: head would close the pipe early and make it exit 120
  "$tools/compose-venv/bin/podman-compose" --version 2>/dev/null | grep '^podman-compose' >&2
}

read_images() { # PyYAML comes with podman-compose
  local service name
  while read -r service name; do image[$service]=$name; done \
    < <("$tools/compose-venv/bin/python3" scripts/container_check.py images docker-compose.yml)
  for service in kafka minio minio-setup gateway worker; do
    [ -n "${image[$service]:-}" ] || fail "docker-compose.yml gives service '$service' no image"
  done
}

base_image() {
  if podman image exists docker.io/library/debian:bookworm-slim; then
    log "debian:bookworm-slim is there"; return 0
  fi
  local mirror rootfs="$work/rootfs"
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  debootstrap --variant=minbase bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; return 1; }
  tar -C "$rootfs" --exclude='./var/lib/apt/lists/*' --exclude='./var/cache/apt/*.bin' -c . \
    | podman import --quiet - docker.io/library/debian:bookworm-slim > /dev/null
  rm -rf "$rootfs"
}

collect_ca() {
  local pem="" f
  if [ -n "${N2N_EXTRA_CA_FILE:-}" ]; then
    pem=$(cat "$N2N_EXTRA_CA_FILE")
  else
    for f in /usr/local/share/ca-certificates/*.crt; do [ -f "$f" ] && pem+=$(cat "$f")$'\n'; done
  fi
  if [ -n "$pem" ]; then
    log "passing $(grep -c 'BEGIN CERTIFICATE' <<<"$pem") extra CA certificate(s) to the builds (EXTRA_CA_CERTS)"
    printf '%s\n' "$pem" > "$work/extra-ca.pem"
  fi
}

build_app() { # Dockerfile image
  local args=() out
  out="$work/build-$(basename "$(dirname "$1")").log"
  [ -s "$work/extra-ca.pem" ] && args=(--build-arg "EXTRA_CA_CERTS=$(cat "$work/extra-ca.pem")")
  podman build --format docker --network=host "${args[@]}" -f "$1" -t "$2" . > "$out" 2>&1 \
    || { tail -40 "$out" >&2; return 1; }
  podman image inspect -f '{{.Size}}' "$2" | awk -v i="$2" '{printf "%s: %.0f MB\n", i, $1/1e6}' >&2
}

kafka_standin() {
  local ctx="$work/kafka-context" cp=local-stack/kafka-broker/target/classpath.txt
  if [ ! -f "$cp" ]; then
    command -v java > /dev/null || { log "a JDK 17 is needed to resolve the Kafka jars"; return 1; }
    ./mvnw -B -ntp -q -f local-stack/pom.xml package > "$work/local-stack.log" 2>&1 || { tail -20 "$work/local-stack.log" >&2; return 1; }
  fi
  mkdir -p "$ctx/libs"
  cp -r deploy/standins/kafka/. "$ctx/"
  tr ':' '\n' < "$cp" | xargs -I{} cp {} "$ctx/libs/"
  podman build --format docker --network=host -t "${image[kafka]}" "$ctx" > "$work/build-kafka.log" 2>&1 \
    || { tail -30 "$work/build-kafka.log" >&2; return 1; }
}

minio_standin() {
  local ctx="$work/minio-context" bin="$tools/minio-bin"
  mkdir -p "$bin" "$ctx"
  command -v go >/dev/null || { log "go is needed to build the MinIO stand-ins"; return 1; }
  if [ ! -x "$bin/mc-$MC_MODULE_VERSION" ]; then
    (cd "$work" && GOBIN="$work/gobin" CGO_ENABLED=0 GOFLAGS=-mod=mod go install "github.com/minio/mc@$MC_MODULE_VERSION") \
      && mv "$work/gobin/mc" "$bin/mc-$MC_MODULE_VERSION"
  fi
  if [ ! -x "$bin/minio-$MINIO_MODULE_VERSION" ]; then
    (cd "$work" && GOBIN="$work/gobin" CGO_ENABLED=0 GOFLAGS=-mod=mod go install "github.com/minio/minio@$MINIO_MODULE_VERSION") \
      && mv "$work/gobin/minio" "$bin/minio-$MINIO_MODULE_VERSION"
  fi
  cp deploy/standins/minio/Dockerfile deploy/standins/minio/docker-entrypoint.sh "$ctx/"
  cp "$bin/mc-$MC_MODULE_VERSION" "$ctx/mc"
  cp "$bin/minio-$MINIO_MODULE_VERSION" "$ctx/minio"
  podman build --format docker --target mc -t "${image[minio-setup]}" "$ctx" > "$work/build-mc.log" 2>&1 \
    && podman build --format docker --target server -t "${image[minio]}" "$ctx" > "$work/build-minio.log" 2>&1 \
    || { tail -30 "$work"/build-m*.log >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------
# podman 4.3 runs no health-check timers without systemd, and podman-compose ignores
# `condition: service_healthy` on podman < 4.6; so this script starts the stack in the order the
# compose file's depends_on asks for and runs the health checks itself.
container() { podman ps -a --format '{{.Names}}' | grep -m1 "^${project}_$1_" ; }

wait_healthy() { # service limit
  local name deadline=$(( $(date +%s) + $2 ))
  until name=$(container "$1"); do  # podman-compose may return before it has created it
    [ "$(date +%s)" -lt "$deadline" ] || { log "no container for $1"; return 1; }
    sleep 1
  done
  until podman healthcheck run "$name" > /dev/null 2>&1; do
    [ "$(podman inspect -f '{{.State.Running}}' "$name")" = true ] || { podman logs --tail 40 "$name" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "$name not healthy after $2 s"; podman logs --tail 40 "$name" >&2; return 1; }
    sleep 2
  done
  log "$name healthy"
}

health_ticker() { # keep health states fresh, like the timers Docker runs
  while sleep 10; do
    podman ps --format '{{.Names}}' | grep "^${project}_" | xargs -r -n1 podman healthcheck run > /dev/null 2>&1 || true
  done
}

ports_free() {
  local port
  for port in 8080 9000 9001; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      cannot "port $port on this machine is taken (docker-compose.yml publishes 8080, 9000, 9001): stop what uses it (make run?)"
    fi
  done
}

stack_infra() {
  compose up -d --no-build --no-deps kafka minio > "$work/up-infra.log" 2>&1 || { cat "$work/up-infra.log" >&2; return 1; }
  wait_healthy minio 120 || return 1
  wait_healthy kafka 180 || return 1
}

stack_bucket() {
  compose up -d --no-build --no-deps minio-setup > "$work/up-setup.log" 2>&1 || { cat "$work/up-setup.log" >&2; return 1; }
  local name rc deadline=$(( $(date +%s) + 60 ))
  until name=$(container minio-setup); do
    [ "$(date +%s)" -lt "$deadline" ] || { log "no container for minio-setup"; return 1; }
    sleep 1
  done
  rc=$(timeout --foreground 120 podman wait "$name")
  [ "$rc" = 0 ] || { podman logs "$name" >&2; log "minio-setup exited $rc"; return 1; }
}

stack_apps() {
  compose up -d --no-build --no-deps gateway worker > "$work/up-apps.log" 2>&1 || { cat "$work/up-apps.log" >&2; return 1; }
  wait_healthy gateway 240 || return 1
  wait_healthy worker 300 || return 1
  local deadline=$(( $(date +%s) + 60 ))
  # readiness is on the management port (8090), which the compose file does not publish: ask inside the container
  until podman exec "$(container gateway)" curl -fsS http://127.0.0.1:8090/actuator/health/readiness > /dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "gateway not ready (127.0.0.1:8090 in its container)"; return 1; }
    sleep 2
  done
}


scale_workers() {
  compose up -d --no-build --no-deps --scale worker=2 worker > "$work/up-scale.log" 2>&1 || { cat "$work/up-scale.log" >&2; return 1; }
  local names n
  names=$(podman ps --format '{{.Names}}' | grep "^${project}_worker_" || true)
  n=$(grep -c . <<<"$names" || true)
  [ "$n" -eq 2 ] || { log "expected 2 running workers, found $n: $names"; return 1; }
  for name in $names; do
    local deadline=$(( $(date +%s) + 300 ))
    until podman healthcheck run "$name" > /dev/null 2>&1; do
      [ "$(date +%s)" -lt "$deadline" ] || { podman logs --tail 40 "$name" >&2; return 1; }
      sleep 2
    done
  done
  log "2 workers running and healthy: $(tr '\n' ' ' <<<"$names")"
}

workers_share() { # every worker owns partitions of n2n.jobs (the group split them)
  local name assigned parts done_jobs
  for name in $(podman ps --format '{{.Names}}' | grep "^${project}_worker_"); do
    assigned=$(podman logs "$name" 2>&1 | grep -o 'partitions assigned: \[[^]]*\]' | grep 'n2n\.jobs-' | tail -1 || true)
    [ -n "$assigned" ] || { log "$name owns no partition of n2n.jobs"; return 1; }
    parts=$(grep -o 'n2n\.jobs-[0-9]*' <<<"$assigned" | wc -l)
    done_jobs=$(podman logs "$name" 2>&1 | grep -c 'denoised by' || true)
    log "$name: $parts partition(s) of n2n.jobs; $done_jobs job(s) in its log"
  done
}

compose_requires_credentials() { # the compose file refuses to start without its secrets
  local var out
  for var in N2N_S3_ROOT_PASSWORD N2N_S3_SECRET_KEY; do
    if out=$(env -u "$var" "$tools/compose-venv/bin/podman-compose" --env-file /dev/null -f docker-compose.yml config 2>&1); then
      log "docker-compose.yml renders without $var: it must require it"; return 1
    fi
    grep -q "$var" <<<"$out" || { log "no mention of $var in the refusal: $(tail -1 <<<"$out")"; return 1; }
  done
  log "without N2N_S3_ROOT_PASSWORD or N2N_S3_SECRET_KEY the compose file is refused, naming the variable"
}

published_on_loopback() { # every published port of the stack listens on 127.0.0.1 only
  local name ports
  for name in $(podman ps --format '{{.Names}}' | grep "^${project}_"); do
    ports=$(podman port "$name" || true)
    [ -n "$ports" ] || continue
    if grep -v -q '127\.0\.0\.1:' <<<"$ports"; then log "$name publishes beyond loopback: $(tr '\n' ' ' <<<"$ports")"; return 1; fi
    log "$name: $(tr '\n' ' ' <<<"$ports")"
  done
}

# The gateway and workers hold the restricted user, never root; that user may do what the
# services do on bucket n2n (objects, its lifecycle rule) and is refused the rest.
restricted_user() {
  local name key probes
  for name in $(podman ps --format '{{.Names}}' | grep -E "^${project}_(gateway|worker)_"); do
    key=$(podman exec "$name" printenv N2N_STORAGE_ACCESSKEY)
    [ "$key" = "$N2N_S3_ACCESS_KEY" ] && [ "$key" != "$N2N_S3_ROOT_USER" ] \
      || { log "$name uses S3 access key '$key', not the services' user"; return 1; }
    ! podman exec "$name" printenv | grep -q -F "$N2N_S3_ROOT_PASSWORD" || { log "$name holds the root password"; return 1; }
  done
  log "gateway and workers use S3 user '$N2N_S3_ACCESS_KEY' and hold no root credentials"
  # mc inside the MinIO container, as the services' user (credentials through the environment)
  probes=$(podman exec -e "MC_HOST_app=http://$N2N_S3_ACCESS_KEY:$N2N_S3_SECRET_KEY@127.0.0.1:9000" \
      -e "MC_HOST_root=http://$N2N_S3_ROOT_USER:$N2N_S3_ROOT_PASSWORD@127.0.0.1:9000" "$(container minio)" sh -c '
    echo probe > /tmp/probe
    mc mb --ignore-existing root/n2ncheck-other > /dev/null
    try() { if out=$("$@" 2>&1); then echo "allowed $*"; else echo "refused $*: $(echo "$out" | tail -1)"; fi; }
    try mc cp /tmp/probe app/n2n/n2ncheck/probe
    try mc cat app/n2n/n2ncheck/probe
    try mc ls app/n2n/n2ncheck/
    try mc ilm rule add --expire-days 3650 app/n2n
    try mc ilm rule rm --all --force app/n2n
    try mc rm app/n2n/n2ncheck/probe
    try mc mb app/n2ncheck-created
    try mc ls app/n2ncheck-other
    try mc cp /tmp/probe app/n2ncheck-other/probe
    try mc admin user list app
    try mc admin policy list app
    try mc admin user add app n2ncheck-intruder n2ncheck-intruder-secret
    mc rb --force root/n2ncheck-other > /dev/null')
  printf '  %s\n' "${probes//$'\n'/$'\n'  }" >&2
  local expect allowed=0 refused=0
  for expect in "allowed mc cp" "allowed mc cat" "allowed mc ls app/n2n/" "allowed mc ilm rule add" "allowed mc ilm rule rm" "allowed mc rm" \
      "refused mc mb" "refused mc ls app/n2ncheck-other" "refused mc cp /tmp/probe app/n2ncheck-other" \
      "refused mc admin user list" "refused mc admin policy list" "refused mc admin user add"; do
    grep -q -F "$expect" <<<"$probes" || { log "expected: $expect ..."; return 1; }
    case $expect in allowed*) allowed=$((allowed + 1));; *) refused=$((refused + 1));; esac
  done
  log "restricted user: $allowed operations on bucket n2n allowed, $refused outside it refused (Access Denied)"
}

teardown() {
  compose down -v -t 60 > "$work/down.log" 2>&1 || { cat "$work/down.log" >&2; return 1; }
  sweep
  ! podman ps -a --external --format '{{.Names}}' | grep -q "^${project}_" || { log "containers left behind"; return 1; }
  ! podman pod ls --format '{{.Name}}' | grep -q -x "pod_${project}" || { log "pod left behind"; return 1; }
  ! podman volume ls --format '{{.Name}}' | grep -q "^${project}_" || { log "volumes left behind"; return 1; }
  ! podman network ls --format '{{.Name}}' | grep -q "^${project}_" || { log "network left behind"; return 1; }
}

# ---------------------------------------------------------------------------------------------
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || cannot "podman here runs as root (docs/deploy.md); run this script as root"
[ "$(uname -s)" = Linux ] || cannot "needs Linux"
if [ "${1:-}" = --setup ]; then
  phase "podman set-up (apt, containers.conf, podman-compose)" 300 setup_podman
  exit 0
fi
if [ "${1:-}" = --standins ]; then
  phase "podman set-up (apt, containers.conf, podman-compose)" 300 setup_podman
  read_images
  phase "debian:bookworm-slim (debootstrap when missing)" 600 base_image
  phase "stand-in ${image[kafka]}" 600 kafka_standin
  phase "stand-in ${image[minio]} + ${image[minio-setup]}" 2400 minio_standin
  exit 0
fi
ports_free
# docker-compose.yml has no default credentials: a fresh random set for this run unless given
export N2N_S3_ROOT_USER=${N2N_S3_ROOT_USER:-n2ncheck-root}
export N2N_S3_ACCESS_KEY=${N2N_S3_ACCESS_KEY:-n2ncheck-app}
export N2N_S3_ROOT_PASSWORD=${N2N_S3_ROOT_PASSWORD:-$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')}
export N2N_S3_SECRET_KEY=${N2N_S3_SECRET_KEY:-$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')}

phase "podman set-up (apt, containers.conf, podman-compose)" 300 setup_podman
read_images
phase "debian:bookworm-slim (debootstrap when missing)" 600 base_image
collect_ca
phase "build ${image[gateway]} (api-gateway/Dockerfile)" 1200 build_app api-gateway/Dockerfile "${image[gateway]}"
phase "build ${image[worker]} (worker/Dockerfile)" 1500 build_app worker/Dockerfile "${image[worker]}"
phase "stand-in ${image[kafka]}" 600 kafka_standin
# its limit covers a cold `go install` of the MinIO server on a loaded machine (docs/deploy.md, "Timings measured here")
phase "stand-in ${image[minio]} + ${image[minio-setup]}" 2400 minio_standin
sweep   # what an interrupted earlier run left
health_ticker & health_pid=$!
phase "compose refuses to start without credentials" 60 compose_requires_credentials
phase "compose up: kafka, minio (healthy)" 300 stack_infra
phase "compose up: minio-setup (bucket, policy, user)" 150 stack_bucket
phase "compose up: gateway, worker (healthy)" 600 stack_apps
phase "published ports on 127.0.0.1 only" 60 published_on_loopback
phase "services on the restricted S3 user" 120 restricted_user
phase "legacy POST / + 1 job via /v1/jobs" 400 python3 scripts/container_check.py requests --legacy --jobs 1
phase "scale worker=2 (both healthy)" 400 scale_workers
phase "16 jobs via /v1/jobs with 2 workers" 400 python3 scripts/container_check.py requests --jobs 16
phase "both workers own partitions of n2n.jobs" 60 workers_share
phase "compose down -v" 180 teardown
