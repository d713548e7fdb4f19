#!/usr/bin/env bash
# Schemathesis (PyPI), the schema-driven API fuzzer of `make test` (issue #15), installed once into a
# virtualenv outside the clone and run with the arguments given: `scripts/schemathesis.sh run <schema URL> …`.
# `scripts/schemathesis.sh install` only installs it. Pinned, so every run fuzzes with the same tool.
set -euo pipefail

TOOLS="${HM_TOOLS_DIR:-$HOME/.cache/hunarmitra/tools}"
VERSION=4.32.5
VENV="$TOOLS/schemathesis-$VERSION"

if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "schemathesis: installing $VERSION (pip, once) into $VENV" >&2
  mkdir -p "$TOOLS"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$VERSION" >&2
fi
if [ "${1:-}" = install ]; then
  exit 0
fi
exec "$VENV/bin/schemathesis" "$@"
