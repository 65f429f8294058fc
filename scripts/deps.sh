#!/usr/bin/env bash
# Installs the system packages the build and tests need, when missing (Debian/Ubuntu).
# `--service`: only what the service itself needs (zlib); libcurl is for the integration tests.
set -euo pipefail
need=()
service_only=0
if [ "${1:-}" = "--service" ]; then service_only=1; shift; fi
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ $service_only = 0 ]; then
  [ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] \
    || [ -f /usr/include/aarch64-linux-gnu/curl/curl.h ] || need+=(libcurl4-openssl-dev)
fi
for extra in "$@"; do dpkg -s "$extra" >/dev/null 2>&1 || need+=("$extra"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi
