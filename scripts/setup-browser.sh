#!/usr/bin/env bash
# Installs Chromium for the browser tests (test/browse-pages.spec.ts, driven by playwright-core, which downloads no
# browser of its own): Debian's `chromium` package, through apt, when no Chromium is there yet. Idempotent: an installed
# one is kept. .ci/run runs it before npm test; CI runs as root. Elsewhere without Chromium the browser tests skip
# with a message, except under CI=true, where they fail.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "setup-browser: $("$candidate" --version 2>/dev/null || echo "$candidate") at $candidate"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null; then
  echo "setup-browser: no Chromium and no apt-get here; install Chromium and set CHROMIUM_PATH to its binary" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "setup-browser: installing Chromium needs root; run: apt-get install -y chromium" >&2
    exit 1
  fi
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "setup-browser: $(/usr/bin/chromium --version) at /usr/bin/chromium"
