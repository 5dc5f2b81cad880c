#!/usr/bin/env bash
# Debian packages the tests use as real parts: buildah (image builder), docker-registry (the CNCF
# Distribution registry), mariadb-server, shellcheck and yamllint (lint-gate presets), curl and jq (the
# workflows' own run: scripts, run by test/workflows/scripts.test.ts).
# Idempotent: installs only what is missing. Needs root (as on the machines here) or sudo.
set -euo pipefail
packages=(buildah docker-registry mariadb-server shellcheck yamllint curl jq)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
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
