#!/usr/bin/env bash
# A configure that stopped half-way leaves CMakeCache.txt without a generated Makefile: the
# next `make` must configure again, not fail with "No rule to make target 'Makefile'".
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/CMakeCache.txt"
plan=$(make -n -C "$src" BUILD="$tmp" build)
if grep -q -- "cmake -S . -B $tmp" <<<"$plan"; then
  echo "ok - an incomplete build tree is configured again"
else
  echo "not ok - make would not configure the incomplete build tree:"; echo "$plan"; exit 1
fi
