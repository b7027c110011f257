#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser download does not work
# offline). Install it when missing and we are root; otherwise fail with the command to run.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Browser tests need Debian's Chromium, which is not installed." >&2
  echo "Install it with: sudo apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium binary)" >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests..."
"$(dirname "$0")/ensure-debian-packages.sh" chromium fonts-dejavu-core
command -v chromium >/dev/null
