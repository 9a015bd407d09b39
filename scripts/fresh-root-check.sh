#!/usr/bin/env bash
# Proves that the container steps of `make test` install everything they need on a freshly
# installed machine (issue 11, item 0): in a throwaway Debian bookworm root made with debootstrap
# (minbase, the mirror apt uses here), with /proc, /sys, /dev and a tmpfs /run mounted,
#   1. runs the set-up phase of scripts/container-check.sh (--setup) and prints the packages it
#      found missing and installed; then the page check's (scripts/page-check.sh --setup: chromium
#      from apt, rendering a page headless);
#   2. in a network namespace of its own (so nothing touches this machine's podman or firewall):
#      builds a tiny image from the root's own files (python3 and its libraries; there is no
#      registry), creates a podman bridge network, runs a server container on it with a published
#      port, reaches it from a second container by its name (netavark, aardvark-dns) and from the
#      root through the published port on 127.0.0.1 (netavark's iptables NAT rules); then, as a
#      negative control, hides iptables and sees a container on that network fail to start.
# Every mount is made in a private mount namespace, so it ends with the script; the root is
# removed on exit (N2N_FRESH_KEEP=1 keeps it). Not part of `make test` (~5 min, downloads ~150 MB).
#
#   scripts/fresh-root-check.sh         (root; `make fresh-root-check`)
# Environment:
#   N2N_FRESH_DIR    parent folder of the throwaway root (default /var/tmp; must not be a tmpfs
#                    mounted noexec/nodev)
#   N2N_FRESH_KEEP=1 keep the root (its path is printed)
# Exit status: 0 proved; 1 a step failed; 2 this machine cannot run it (the reason is printed).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
started=$(date +%s)
root=""

log() { echo "[fresh-root-check $(date +%H:%M:%S)] $*" >&2; }
cannot() { log "CANNOT RUN HERE: $*"; exit 2; }

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  [ -n "$root" ] && rm -f "$root.debootstrap.log"
  if [ -n "$root" ] && [ -d "$root" ]; then
    # a container process that outlived its namespace would keep files busy
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
      [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill -9 "$pid" 2>/dev/null || true
    done
    if findmnt -rn -o TARGET | grep -q "^$root"; then
      log "mounts left under $root (not removed):"; findmnt -rn -o TARGET | grep "^$root" >&2
    elif [ "${N2N_FRESH_KEEP:-0}" = 1 ]; then
      log "kept $root"
    else
      rm -rf --one-file-system "$root"
    fi
  fi
  log "total $(( $(date +%s) - started )) s"
  [ "$rc" -eq 0 ] && log "PROVED" || log "exit status $rc"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || cannot "chroot, mounts and podman need root"
for c in unshare chroot findmnt; do command -v "$c" > /dev/null || cannot "needs $c (util-linux, coreutils)"; done
if ! command -v debootstrap > /dev/null; then
  command -v apt-get > /dev/null || cannot "needs debootstrap and there is no apt-get to install it"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap debian-archive-keyring > /dev/null
fi

parent=${N2N_FRESH_DIR:-/var/tmp}
root=$(mktemp -d "$parent/n2n-fresh-root.XXXXXX")
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
t0=$(date +%s)
log "debootstrap --variant=minbase bookworm $root $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1 \
  || { tail -20 "$root.debootstrap.log" >&2; exit 1; }
log "bare root made in $(( $(date +%s) - t0 )) s: $(chroot "$root" dpkg-query -W | wc -l) packages"

# What a freshly installed machine of this kind has besides the Debian base: the apt sources
# (bookworm, -updates, -security), a resolver, and the CA of the egress proxy that re-signs TLS
# (PyPI for podman-compose). Nothing the container steps need.
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
  rm -f "$root/etc/apt/sources.list"
fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/usr/local/share/ca-certificates" "$root/src"
cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true

in_root=(chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)

# the podman proof, run as root inside the fresh root, in a network namespace of its own
proof=$(cat <<'EOF'
set -euo pipefail
say() { echo "[in the fresh root] $*" >&2; }
# the new namespace's loopback starts down: bring it up (no iproute2 in the root) for 127.0.0.1
python3 - <<'PY'
import fcntl, socket, struct
s = socket.socket()
flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH14s", b"lo", 0, b""))[:18])[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))
PY
# a tiny image from this root's own files: python3, its standard library and shared libraries
files=$( (echo /usr/bin/python3.11; ldd /usr/bin/python3.11 | grep -o '/[^ ]*') | sort -u | sed 's#^/##')
tar -C / -ch --exclude=__pycache__ --exclude=python3.11/test $files usr/lib/python3.11 \
  | podman import --quiet --change 'ENTRYPOINT ["/usr/bin/python3.11"]' - localhost/n2n-fresh-tiny > /dev/null
say "image: $(podman image inspect -f '{{.Size}}' localhost/n2n-fresh-tiny | awk '{printf "%.0f MB", $1/1e6}') from $(echo $files | wc -w) files + the python3.11 library"
podman network create --subnet 10.89.77.0/24 n2nfresh > /dev/null
say "network: $(podman network inspect -f '{{.Driver}} {{.NetworkInterface}} {{range .Subnets}}{{.Subnet}}{{end}} dns={{.DNSEnabled}}' n2nfresh)"
podman run -d --name n2nfresh-server --network n2nfresh -p 18080:8000 localhost/n2n-fresh-tiny \
  -m http.server 8000 --bind 0.0.0.0 --directory /usr/lib/python3.11 > /dev/null
ok=""
for _ in $(seq 40); do
  curl -fsS -o /dev/null http://127.0.0.1:18080/os.py 2>/dev/null && { ok=1; break; }
  sleep 0.5
done
[ -n "$ok" ] || { podman logs n2nfresh-server >&2; say "FAILED: no answer on the published port 127.0.0.1:18080"; exit 1; }
say "published port: 127.0.0.1:18080 -> n2nfresh-server:8000 answered ($(curl -fsS http://127.0.0.1:18080/os.py | wc -c) bytes); netavark's rules: $(iptables-save | grep -c NETAVARK) lines in iptables ($(iptables -V))"
podman run --rm --network n2nfresh localhost/n2n-fresh-tiny -c '
import socket, urllib.request
peer = "n2nfresh-server"
body = urllib.request.urlopen(f"http://{peer}:8000/os.py", timeout=10).read()
print(f"[in the fresh root] container to container: {peer} resolved to {socket.gethostbyname(peer)} (aardvark-dns), {len(body)} bytes")
' >&2
# the negative control: with iptables gone, as on the machine of issue 11, a container on the
# bridge network must fail to start, or this check could not have seen that failure
mv /usr/sbin/iptables /usr/sbin/iptables.hidden
if err=$(podman run --rm --network n2nfresh localhost/n2n-fresh-tiny -c 'print("started")' 2>&1); then
  say "FAILED: a container started on the bridge network without iptables: this check cannot see the issue"; exit 1
fi
mv /usr/sbin/iptables.hidden /usr/sbin/iptables
say "negative control, iptables hidden: the container did not start: $(tail -1 <<<"$err")"
podman rm -f -t 0 n2nfresh-server > /dev/null 2>&1
podman network rm n2nfresh > /dev/null
EOF
)

t0=$(date +%s)
# shellcheck disable=SC2016  # expanded by the inner bash
unshare --mount --propagation private --fork env ROOT="$root" HERE="$here" PROOF="$proof" bash -c '
  set -euo pipefail
  mount --bind "$ROOT" "$ROOT"   # a mount point, as / is on a machine: podman makes / private when it unpacks layers
  mount -t proc proc "$ROOT/proc"
  mount --rbind /sys "$ROOT/sys"
  mount --rbind /dev "$ROOT/dev"
  mount -t tmpfs -o mode=755 tmpfs "$ROOT/run"
  mount --bind "$HERE" "$ROOT/src"
  mount -o remount,bind,ro "$ROOT/src"
  "$@" N2N_TOOLS_DIR=/root/n2n-tools /src/scripts/container-check.sh --setup
  "$@" /src/scripts/page-check.sh --setup
  unshare --net "$@" bash -c "$PROOF"
' _ "${in_root[@]}"
log "set-up + podman proof in $(( $(date +%s) - t0 )) s"
log "installed in the fresh root: $(chroot "$root" dpkg-query -W -f '${Package}=${Version}\n' podman netavark aardvark-dns iptables runc conmon catatonit chromium fonts-dejavu-core | tr '\n' ' ')"
