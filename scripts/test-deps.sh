#!/usr/bin/env bash
# Installs the Debian packages some tests need, when they are missing: test-deps.sh PACKAGE...
# Tests call it themselves (so that `./mvnw verify` works on a fresh machine); without root or
# apt-get it installs nothing, says why, and the tests that need the package skip with a reason.
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: cannot install ${missing[*]}: needs root and apt-get" >&2
  exit 1
fi
echo "test-deps: installing ${missing[*]}" >&2
# One install at a time on this machine: parallel test JVMs may ask together.
exec 9>/tmp/drover-test-deps.lock
flock 9
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
