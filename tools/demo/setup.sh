#!/usr/bin/env bash
# Installs what `npm run demo` needs on a Debian/Ubuntu machine: buildah (image builder), docker-registry
# (the CNCF Distribution registry), jq and curl (used by the deploy workflow's security-gate step), and
# moto's server (Python) for the ECS API. Idempotent: installs only what is missing. Needs root or sudo.
set -euo pipefail
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
packages=(buildah docker-registry jq curl tar)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if ! python3 -c 'import moto.server, flask' 2>/dev/null; then
  python3 -m pip install --quiet 'moto[server]==5.2.1' || {
    echo "Could not install moto with pip; install it with: python3 -m pip install 'moto[server]==5.2.1'" >&2
    exit 1
  }
fi
echo "demo prerequisites present: ${packages[*]} moto"
