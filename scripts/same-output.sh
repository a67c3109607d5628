#!/usr/bin/env bash
# Checks that two dossier binaries print the same `search --json --facets`
# objects (took_ms aside) for a fixed set of queries, on the bundled corpus
# and on a generated one: the before/after check of a change that must not
# change what users see. Each binary builds its own indexes, so a schema
# change between them is fine.
#
#   scripts/same-output.sh OLD_BINARY NEW_BINARY [GENERATED_DOCS]
#
# OLD_BINARY is typically a release build of an earlier commit:
#   git worktree add /tmp/before <rev> && (cd /tmp/before && cargo build --release)
#   scripts/same-output.sh /tmp/before/target/release/dossier target/release/dossier
# Exits 0 when every object is the same, 1 otherwise (printing the first
# differences), 2 on a usage error.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,14p' "$0" >&2
  exit 2
fi
old=$(realpath "$1")
new=$(realpath "$2")
docs=${3:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOSSIER_TODAY=2026-11-22

# Flags after the query, one search a line (split like a shell).
queries=(
  "'electoral commission'"
  "hackers"
  "'\"critical infrastructure\"'"
  "'\"Violet Typhoon\"'"
  "Zirconium"
  "'salt typhoon' --country US"
  "'volt OR salt' --sort newest"
  "'typhoon -volt'"
  "title:parliament"
  "--actor 'Fancy Bear' -n 3"
  "--sponsor CN --country GB"
  "--sponsor Russia --since 2016-01-01 --until 2019-12-31"
  "espionage --country Britain --country 'United States'"
  "attack --sort oldest -n 5 --offset 2"
  "government -n 0"
  "-n 0"
  "--cve CVE-2017-0144"
  "--technique T1566"
  "--malware BlackEnergy"
  "ministry --actor APT28 --actor APT29"
  "networks --since 2020-01-01"
  "'\"state sponsored\"' -n 20"
  "malware --sort newest -n 15"
  "intelligence --country UA"
  "obsidianfall"
  "quillmere"
  "'government networks'"
)

compare() {
  local label=$1 corpus=$2 failed=0 line n=0
  # One indexing thread (16 MB is one thread's budget), so documents sit in
  # walk order and hits with equal scores come in the same order: with two,
  # they land in segments by timing, and equal scores swap between runs of
  # the same binary.
  "$old" index "$corpus" --index "$work/$label-old" --quiet --memory-mb 16 >/dev/null 2>&1
  "$new" index "$corpus" --index "$work/$label-new" --quiet --memory-mb 16 >/dev/null 2>&1
  for line in "${queries[@]}"; do
    n=$((n + 1))
    eval "set -- $line"
    local a b
    a=$("$old" search "$@" --index "$work/$label-old" --json --facets | jq -S 'del(.took_ms)' || true)
    b=$("$new" search "$@" --index "$work/$label-new" --json --facets | jq -S 'del(.took_ms)' || true)
    if [ -z "$a" ] || [ "$a" != "$b" ]; then
      echo "DIFFERENT on $label: search $line" >&2
      diff <(echo "$a") <(echo "$b") | head -20 >&2 || true
      failed=1
    fi
  done
  echo "$label: $n queries, $( [ $failed = 0 ] && echo same || echo DIFFERENT )"
  return $failed
}

"$new" gen-corpus --docs "$docs" --out "$work/generated" --seed 42 >/dev/null 2>&1
status=0
compare bundled "$root/corpus" || status=1
compare "generated-$docs" "$work/generated" || status=1
exit $status
