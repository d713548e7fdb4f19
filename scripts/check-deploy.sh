#!/usr/bin/env bash
# `make k8s-check`: renders every kustomize overlay with `kubectl kustomize` and runs checkov on k8s/, on the
# rendered overlays and on deploy/Dockerfile (no failed check; skips are justified where they are made).
# `make compose-check`: validates deploy/docker-compose.yml with `docker-compose config`.
# The tools are installed on first use: checkov from PyPI into a virtualenv outside the clone,
# docker-compose and kubectl with apt-get. Nothing here needs a Docker engine or a cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="${HM_TOOLS_DIR:-$HOME/.cache/hunarmitra/tools}"
CHECKOV_VERSION=3.3.30
log() { printf 'check-deploy: %s\n' "$*"; }

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_checkov() {
  if [ "$("$TOOLS/checkov/bin/checkov" --version 2>/dev/null)" = "$CHECKOV_VERSION" ]; then return; fi
  log "installing checkov $CHECKOV_VERSION (pip, once)"
  mkdir -p "$TOOLS"
  python3 -m venv "$TOOLS/checkov"
  "$TOOLS/checkov/bin/pip" install -q "checkov==$CHECKOV_VERSION"
}

ensure_kubectl() {
  command -v kubectl >/dev/null && return
  log "installing kubectl (apt-get)"
  apt_install kubectl || apt_install kubernetes-client
}

ensure_compose() {
  command -v docker-compose >/dev/null && return
  log "installing docker-compose (apt-get)"
  apt_install docker-compose
}

k8s() {
  ensure_kubectl
  ensure_checkov
  local out=target/k8s
  mkdir -p "$out"
  for overlay in k8s/overlays/*/; do
    name=$(basename "$overlay")
    kubectl kustomize "$overlay" > "$out/$name.yaml"
    log "rendered $overlay: $(grep -c '^kind:' "$out/$name.yaml") objects"
  done
  # --skip-download: no network at check time (no guideline links or severities from Prisma Cloud).
  local checkov=("$TOOLS/checkov/bin/checkov" --compact --quiet --skip-download)
  "${checkov[@]}" --framework kubernetes -d k8s
  "${checkov[@]}" --framework kubernetes -d "$out"
  "${checkov[@]}" --framework dockerfile -f deploy/Dockerfile
  log "k8s and Dockerfile: no failed checks"
}

compose() {
  ensure_compose
  docker-compose -f deploy/docker-compose.yml config -q
  log "deploy/docker-compose.yml is valid"
}

case "${1:-}" in
  k8s) k8s ;;
  compose) compose ;;
  *) echo "usage: $0 k8s|compose" >&2; exit 2 ;;
esac
