#!/usr/bin/env bash
# Installs everything ICN Desktop needs on a fresh machine: npm packages (npm ci, which also builds), and with
# --test the system packages the end-to-end suite uses (Debian/Ubuntu: chromium, xvfb). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--test" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || [ -n "${ICN_CHROMIUM:-}" ] || missing+=(chromium)
  command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb)
  if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
      sudo=""
      if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
      echo "setup: installing ${missing[*]} with apt-get"
      $sudo apt-get update
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
    else
      echo "setup: the end-to-end tests need Chromium and Xvfb (${missing[*]} missing)." >&2
      echo "setup: install them with your package manager, or set ICN_CHROMIUM=/path/to/chromium." >&2
      exit 1
    fi
  fi
fi

npm ci
