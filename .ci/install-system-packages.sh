#!/usr/bin/env bash
# Installs the Debian packages listed in .ci/system-packages.txt (the real parts the tests and the demo use).
# Idempotent: installs only what is missing. Needs root (as on the machines here and GitHub's runners) or sudo.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t packages < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' system-packages.txt | awk '{print $1}')
missing=()
for p in "${packages[@]}"; do
  # kubectl from elsewhere (the machine image's 1.32, GitHub's runners) is newer than Debian's kubernetes-client.
  [ "$p" = kubernetes-client ] && command -v kubectl >/dev/null && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
echo "system packages present: ${packages[*]}"
# moto (the AWS API server the ECS, ECR and demo tests start) comes with the machine's Python here;
# say so plainly when it is missing instead of letting those tests fail one by one.
if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "::warning::python3 cannot import moto.server: the ECS/ECR/demo tests need it (pip install 'moto[server]')"
fi
