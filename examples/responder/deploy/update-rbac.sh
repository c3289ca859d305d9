#!/usr/bin/env bash
# Rewrites the ClusterRole rules in rbac.yaml from what the responder derives for the ConfigMap's
# config.yaml (enabled actions, watched kinds, what the safety policies read). Run it after the action or
# detector catalog changes; RbacTest fails until rbac.yaml matches.
#   mvn -B -q -DskipTests package && examples/responder/deploy/update-rbac.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../target/responder.jar"
[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
cfg="$(mktemp)"; rules="$(mktemp)"
trap 'rm -f "$cfg" "$rules"' EXIT
# config.yaml is the block under "config.yaml: |" in the ConfigMap, indented by four spaces.
awk '/^  config.yaml: \|/{on=1; next} on && /^  [^ ]/{on=0} on{sub(/^    /, ""); print}' "$here/configmap.yaml" > "$cfg"
java -jar "$jar" rbac --config "$cfg" | awk '/^rules:/{on=1} /^---/{exit} on' > "$rules"
awk -v rules="$rules" '
  /^kind: ClusterRole$/ {cr=1}
  cr && /^rules:/ {while ((getline line < rules) > 0) print line; skip=1; next}
  skip && /^---/ {skip=0; cr=0}
  !skip {print}' "$here/rbac.yaml" > "$here/rbac.yaml.new"
mv "$here/rbac.yaml.new" "$here/rbac.yaml"
echo "updated $here/rbac.yaml"
