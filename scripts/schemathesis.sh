#!/usr/bin/env bash
# Schemathesis (PyPI), the schema-driven API fuzzer of `make test` (issue #15), and openapi-spec-validator,
# which checks that the merged document is valid OpenAPI 3 (issue #17), installed once into a virtualenv
# outside the clone:
#   scripts/schemathesis.sh run <schema URL> …       schemathesis with the arguments given
#   scripts/schemathesis.sh validate <document.json>  openapi-spec-validator on a saved document
#   scripts/schemathesis.sh install                  only installs them
# Pinned, so every run fuzzes and validates with the same tools.
set -euo pipefail

TOOLS="${HM_TOOLS_DIR:-$HOME/.cache/hunarmitra/tools}"
VERSION=4.32.5
VALIDATOR_VERSION=0.9.0
VENV="$TOOLS/schemathesis-$VERSION-osv-$VALIDATOR_VERSION"

if [ ! -x "$VENV/bin/schemathesis" ] || [ ! -x "$VENV/bin/openapi-spec-validator" ]; then
  echo "schemathesis: installing $VERSION and openapi-spec-validator $VALIDATOR_VERSION (pip, once) into $VENV" >&2
  mkdir -p "$TOOLS"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$VERSION" "openapi-spec-validator==$VALIDATOR_VERSION" >&2
fi
case "${1:-}" in
  install) exit 0 ;;
  validate) shift; exec "$VENV/bin/openapi-spec-validator" "$@" ;;
esac
exec "$VENV/bin/schemathesis" "$@"
