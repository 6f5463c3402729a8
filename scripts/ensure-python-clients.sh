#!/usr/bin/env bash
# Builds (or checks) the environment in which the conformance tests run pipecat and LiveKit's Python
# plugin: the chroot kit at $SPEECHWIRE_PYTHON_CLIENTS_KIT, else the nearest shared/python-clients beside
# the checkout or one of its parents (../shared/python-clients here), through its setup.sh
# (cached in /var/cache/speechwire/python-clients or $SPEECHWIRE_PYCLIENTS_DIR: about 2-4 minutes the
# first time, about 3 s afterwards). Nothing to do when SPEECHWIRE_PYTHON_CLIENTS names a Python of
# your own, or when there is no kit. It never fails the run: without an environment the tests that
# need it are reported as skipped, with the reason.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${SPEECHWIRE_PYTHON_CLIENTS:-}" ]; then
  echo "python clients: using SPEECHWIRE_PYTHON_CLIENTS=${SPEECHWIRE_PYTHON_CLIENTS}"
  exit 0
fi
kit="${SPEECHWIRE_PYTHON_CLIENTS_KIT:-}"
if [ -z "$kit" ]; then
  dir="$(dirname "$root")"
  while :; do
    if [ -x "$dir/shared/python-clients/setup.sh" ]; then kit="$dir/shared/python-clients"; break; fi
    [ "$dir" = "/" ] && break
    dir="$(dirname "$dir")"
  done
fi
if [ -z "$kit" ] || [ ! -x "$kit/setup.sh" ]; then
  echo "python clients: no kit (${kit:-no shared/python-clients beside the checkout or its parents}) and SPEECHWIRE_PYTHON_CLIENTS is not set: their conformance tests will be skipped"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "python clients: the kit at $kit needs root (chroot, mounts): their conformance tests will be skipped unless its environment already exists"
  exit 0
fi
started=$(date +%s)
log="$(mktemp)"
if "$kit/setup.sh" >"$log" 2>&1; then
  echo "python clients: $(tail -n 1 "$log") ($(( $(date +%s) - started )) s)"
else
  echo "python clients: $kit/setup.sh failed after $(( $(date +%s) - started )) s; their conformance tests will be skipped. Last lines:"
  tail -n 15 "$log" | sed 's/^/  /'
fi
rm -f "$log"
exit 0
