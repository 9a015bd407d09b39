#!/usr/bin/env bash
# Tries the gateway's page (GET /, api-gateway/src/main/resources/static/) in a real headless browser:
# Debian's chromium, driven by Playwright for Python (scripts/page_check.py) from the venv the Makefile
# made (`make test-page`). Installs chromium from apt when it is missing (root); Playwright's own browser
# builds are never downloaded. Usage: page-check.sh PYTHON [page_check.py options]
#   page-check.sh --setup   only installs what the check needs and proves chromium renders a page
#                           (scripts/fresh-root-check.sh runs it in a bare Debian root)
# Exit status: 0 passed; 1 a check failed; 2 this machine cannot run the check (no chromium and no apt as root).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
python=${1:?the venv python with playwright, or --setup}
shift

# chromium pulls in its libraries; the fonts are only Recommends, and the page's text needs one
PAGE_PACKAGES=(chromium fonts-dejavu-core)

missing_packages() {
  local p
  for p in "${PAGE_PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"
  done
}

if command -v dpkg-query > /dev/null && command -v apt-get > /dev/null; then
  missing=$(missing_packages | tr '\n' ' ')
  if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || { echo "page-check: needs root to install $missing from apt" >&2; exit 2; }
    echo "page-check: installing from apt: $missing"
    log=$(mktemp)
    apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing > "$log" 2>&1 \
      || { tail -30 "$log" >&2; rm -f "$log"; exit 1; }
    rm -f "$log"
  fi
fi
command -v chromium > /dev/null || { echo "page-check: no chromium, and no apt-get to install it" >&2; exit 2; }

if [ "$python" = --setup ]; then
  dom=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom \
    'data:text/html,<p id=n2n>rendered</p>' 2>/dev/null)
  case $dom in
    *'<p id="n2n">rendered</p>'*) echo "page-check: $(chromium --version) renders a page headless" ;;
    *) echo "page-check: chromium did not render a page" >&2; exit 1 ;;
  esac
  exit 0
fi

exec "$python" "$here/scripts/page_check.py" --chromium "$(command -v chromium)" "$@"
