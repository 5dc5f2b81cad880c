#!/usr/bin/env bash
# Go tools the tests use as real parts, pinned and built from the Go module proxy: act (nektos/act), which
# runs Gantry's workflows on this host (`-P ubuntu-latest=-self-hosted`) in test/tools/act.integration.test.ts.
# Idempotent: builds only what is missing (about 3 minutes for act on 2 cores, once).
set -euo pipefail
ACT_VERSION=v0.2.89
bin="$(go env GOPATH)/bin"
if ! [ -x "$bin/act" ] || ! "$bin/act" --version 2>/dev/null | grep -q "${ACT_VERSION#v}"; then
  echo "building act ${ACT_VERSION}: the tests run Gantry's workflows under the real act"
  go install "github.com/nektos/act@${ACT_VERSION}"
fi
# gitleaks for the security-scan tests, into the scanners folder the test reads (GANTRY_SCANNERS_BIN); about
# 10 min cold on 2 busy cores, seconds with a warm Go build cache.
SCANNERS="${GANTRY_SCANNERS_BIN:-$HOME/.cache/gantry/scanners/bin}"
if ! [ -x "$SCANNERS/gitleaks" ]; then
  echo "building gitleaks v8.30.1 into $SCANNERS: the security-scan tests run it"
  mkdir -p "$SCANNERS"
  GOBIN="$SCANNERS" go install github.com/zricethezav/gitleaks/v8@v8.30.1
fi
echo "go tools present: $("$bin/act" --version), gitleaks"
