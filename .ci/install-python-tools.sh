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
# Real scanners for test/actions/security-scan/real-scanners.bundle.test.ts, pinned, in a venv whose bin/ the
# test reads (GANTRY_SCANNERS_BIN; gitleaks goes there too, from .ci/install-go-tools.sh). About 2-5 min once:
# checkov pulls ~100 packages.
SCANNERS="${GANTRY_SCANNERS_BIN:-$HOME/.cache/gantry/scanners/bin}"
if [ ! -x "$SCANNERS/semgrep" ] || [ ! -x "$SCANNERS/checkov" ]; then
  echo "installing semgrep==1.95.0 and checkov==3.2.300 into $(dirname "$SCANNERS"): the security-scan tests run them"
  python3 -m venv "$(dirname "$SCANNERS")"
  "$SCANNERS/pip" install -q --disable-pip-version-check semgrep==1.95.0 checkov==3.2.300
fi
echo "python tools present: moto $(python3 -c 'import moto; print(moto.__version__)'), semgrep, checkov"
