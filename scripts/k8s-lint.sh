#!/usr/bin/env bash
# Validates the Kubernetes manifests under deploy/ without reaching GitHub or a cluster:
#   1. every YAML file under deploy/k8s against the Kubernetes 1.33 JSON schemas (strict: unknown
#      fields are errors), the KEDA ScaledObject and kustomization schemas in deploy/schemas/;
#   2. every kustomization rendered with kustomize, and the output validated the same way;
#   3. the project's own rules on top (deploy/schemas/policy/: health endpoints and ports, the
#      worker's grace period, KEDA on n2n.jobs / n2n-workers with at most 12 replicas, a GPU for
#      the GPU image, the env names of the ConfigMap and Secret).
# Tools (pinned) are installed once into .tools/ (override with N2N_TOOLS_DIR): kubeconform and
# kustomize from the Go module proxy, the Kubernetes schemas from the PyPI wheel
# kubernetes-validate (made standalone by deploy/schemas/standalone.py). Needs go and python3.
#
#   scripts/k8s-lint.sh              validate deploy/k8s
#   scripts/k8s-lint.sh DIR...       validate other folders or files the same way
#   scripts/k8s-lint.sh --self-test  also show that broken copies of the manifests are rejected
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

KUBECONFORM_VERSION=v0.7.0
KUSTOMIZE_VERSION=v5.7.1
K8S_VERSION=1.33.0
SCHEMA_WHEEL=kubernetes_validate-1.37.0-py3-none-any.whl
SCHEMA_WHEEL_SHA256=85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9

tools=${N2N_TOOLS_DIR:-$here/.tools}
mkdir -p "$tools"
tools=$(cd "$tools" && pwd)

log() { echo "[k8s-lint] $*" >&2; }

go_tool() { # name module version -> path of the binary, installed once
  local name=$1 module=$2 version=$3 dir="$tools/$1-$3"
  if [ ! -x "$dir/$name" ]; then
    command -v go >/dev/null || { log "go is needed to install $name"; exit 2; }
    log "installing $module@$version into $dir"
    mkdir -p "$dir"
    (cd "$dir" && GOBIN="$dir" GOFLAGS=-mod=mod CGO_ENABLED=0 timeout 900 go install "$module@$version") >&2
  fi
  echo "$dir/$name"
}

kubeconform=$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")
kustomize=$(go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION")

schemas="$tools/k8s-schemas/v$K8S_VERSION-standalone-strict"
if [ ! -f "$schemas/.done" ]; then
  log "preparing the Kubernetes $K8S_VERSION schemas from $SCHEMA_WHEEL"
  wheel_dir="$tools/wheels"
  mkdir -p "$wheel_dir"
  if [ ! -f "$wheel_dir/$SCHEMA_WHEEL" ]; then
    version=${SCHEMA_WHEEL#kubernetes_validate-}; version=${version%%-*}
    timeout 300 python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$wheel_dir" \
      "kubernetes-validate==$version" >&2
  fi
  echo "$SCHEMA_WHEEL_SHA256  $wheel_dir/$SCHEMA_WHEEL" | sha256sum -c --quiet - >&2 \
    || { log "checksum mismatch for $SCHEMA_WHEEL"; exit 2; }
  rm -rf "$schemas"
  python3 deploy/schemas/standalone.py "$wheel_dir/$SCHEMA_WHEEL" "$K8S_VERSION" "$schemas" >&2
  touch "$schemas/.done"
fi

tpl='{{ .ResourceKind }}{{ .KindSuffix }}.json'
schema_args=(-kubernetes-version "$K8S_VERSION" -schema-location "$schemas/$tpl"
             -schema-location "$here/deploy/schemas/$tpl")
policy_args=(-ignore-missing-schemas -schema-location "$here/deploy/schemas/policy/$tpl")

# validate NAME < documents
validate_stream() {
  local name=$1 input
  input=$(cat)
  "$kubeconform" -strict -summary "${schema_args[@]}" - <<<"$input" | sed "s|^stdin|$name|" &&
    "$kubeconform" -summary "${policy_args[@]}" - <<<"$input" | sed "s|^stdin|$name (policy)|"
}

# lint PATH... -> 0 when all valid
lint() {
  local failed=0 dir
  log "kubeconform $KUBECONFORM_VERSION (strict, Kubernetes $K8S_VERSION + deploy/schemas) on $*"
  "$kubeconform" -strict -summary "${schema_args[@]}" "$@" || failed=1
  log "project policy (deploy/schemas/policy) on $*"
  "$kubeconform" -summary "${policy_args[@]}" "$@" || failed=1
  while IFS= read -r dir; do
    log "kustomize $KUSTOMIZE_VERSION build $dir"
    local rendered
    if ! rendered=$("$kustomize" build "$dir"); then failed=1; continue; fi
    validate_stream "$dir (rendered)" <<<"$rendered" || failed=1
  done < <(find "$@" -name kustomization.yaml -printf '%h\n' | sort)
  return $failed
}

self_test() {
  # each broken copy must be rejected; prints which check caught it
  local tmp case failures=0
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  local -a cases=(
    "unknown field%deploy/k8s/base/worker.yaml%s/^      terminationGracePeriodSeconds:/      terminationGracePeriodSecs:/"
    "wrong type%deploy/k8s/base/gateway.yaml%s/containerPort: 8080/containerPort: \"eighty\"/"
    "number in KEDA metadata%deploy/k8s/base/worker-scaledobject.yaml%s/lagThreshold: \"2\"/lagThreshold: 2/"
    "too many workers%deploy/k8s/base/worker-scaledobject.yaml%s/maxReplicaCount: 12/maxReplicaCount: 20/"
    "short grace period%deploy/k8s/base/worker.yaml%s/terminationGracePeriodSeconds: 300/terminationGracePeriodSeconds: 30/"
    "wrong probe path%deploy/k8s/base/gateway.yaml%s#path: /actuator/health/readiness#path: /healthz#"
    "missing env key%deploy/k8s/base/config.yaml%/SPRING_KAFKA_BOOTSTRAPSERVERS/d"
    "credentials in a manifest%deploy/k8s/base/config.yaml%\$a ---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: n2n-storage\nstringData:\n  N2N_STORAGE_ACCESSKEY: n2n-app\n  N2N_STORAGE_SECRETKEY: change-me"
    "storage Secret optional%deploy/k8s/base/worker.yaml%s/^\(  *\)name: n2n-storage/\1name: n2n-storage\n\1optional: true/"
    "broken overlay patch%deploy/k8s/overlays/gpu/kustomization.yaml%s#/spec/template/spec/containers/0/resources#/spec/template/spec/containerz/0/resources#"
  )
  for case in "${cases[@]}"; do
    IFS='%' read -r what file expr <<<"$case"
    rm -rf "$tmp/deploy"; cp -r deploy "$tmp/deploy"
    sed -i -e "$expr" "$tmp/$file"
    if cmp -s "$file" "$tmp/$file"; then
      log "self-test '$what': the edit did not apply to $file"; failures=$((failures + 1)); continue
    fi
    if (cd "$tmp" && lint deploy/k8s) >"$tmp/out" 2>&1; then
      log "self-test '$what': NOT rejected"; failures=$((failures + 1))
    else
      log "self-test '$what': rejected: $(grep -v -e '^Summary:' -e '^\[k8s-lint\]' "$tmp/out" | grep -m1 -i -E 'invalid|failed|error' | cut -c1-240)"
    fi
  done
  return $failures
}

if [ "${1:-}" = "--self-test" ]; then
  shift
  lint "${@:-deploy/k8s}"
  self_test
  log "self-test passed: every broken copy was rejected"
else
  lint "${@:-deploy/k8s}"
fi
log "all manifests valid"
