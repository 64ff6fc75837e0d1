#!/usr/bin/env bash
# Installs the programs some end-to-end tests drive, when they are missing:
#   chromium  opens the controller's dashboard headless (DashboardIT)
#   tmux      runs `drover top` in a terminal and reads its screen (TopIT)
#   systemd-analyze  verifies the systemd units (InstallScriptsTest)
#   promtool  checks the Prometheus exposition of /metrics (PrometheusExpositionTest)
# As root it installs them with apt-get (Debian, Ubuntu); otherwise it names what to install.
# Quick when everything is there. Exit 0 when every program is present afterwards, 1 if not.
#   scripts/test-deps.sh [PROGRAM...]   (default: all of the above)
set -euo pipefail

declare -A package_of=([chromium]="chromium fonts-dejavu-core" [tmux]="tmux" [systemd-analyze]="systemd" [promtool]="prometheus")
wanted=("$@")
if [ ${#wanted[@]} -eq 0 ]; then
  wanted=(chromium tmux systemd-analyze promtool)
fi

missing=()
packages=()
for program in "${wanted[@]}"; do
  if [ -z "${package_of[$program]+set}" ]; then
    echo "test-deps: unknown program '$program'; known: ${!package_of[*]}" >&2
    exit 2
  fi
  if ! command -v "$program" >/dev/null 2>&1; then
    missing+=("$program")
    # shellcheck disable=SC2206 # a program may need several packages
    packages+=(${package_of[$program]})
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: missing ${missing[*]}; install them (Debian: apt-get install ${packages[*]})" >&2
  exit 1
fi

echo "test-deps: installing ${packages[*]} for ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -q -y -o DPkg::Lock::Timeout=300 "$@"; }
# A fresh machine has no package lists yet; a stale one may name versions that are gone.
if ! apt_get install --no-install-recommends "${packages[@]}" >/dev/null; then
  apt_get update >/dev/null
  apt_get install --no-install-recommends "${packages[@]}" >/dev/null
fi

for program in "${missing[@]}"; do
  if ! command -v "$program" >/dev/null 2>&1; then
    echo "test-deps: $program is still missing after installing ${packages[*]}" >&2
    exit 1
  fi
done
