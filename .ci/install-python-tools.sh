#!/usr/bin/env bash
# Python tools the tests use as real parts, pinned: moto's server (the AWS API: ECS, ECR, ELBv2, STS, S3,
# CloudFront, CloudWatch). Idempotent: installs only what python3 cannot import yet.
set -euo pipefail
pip_install() {
  # PEP 668 (Debian/Ubuntu's system Python) refuses plain installs; the runner's Python is ours to change.
  python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}
if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "installing moto[server]==5.2.1: the AWS API server the ECS, ECR, S3 and demo tests start"
  pip_install 'moto[server]==5.2.1'
fi
echo "python tools present: moto $(python3 -c 'import moto; print(moto.__version__)')"
