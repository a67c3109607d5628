#!/usr/bin/env bash
# Alternating A/B timing of whole commands on a noisy machine: ROUNDS rounds,
# each running every command RUNS times with hyperfine (warm cache), in
# turn; prints each command's median over the rounds of its per-round mean.
#
#   scripts/ab.sh [-r ROUNDS] [-n RUNS] 'command A' 'command B' ...
set -euo pipefail
rounds=5 runs=60
while getopts "r:n:" opt; do
  case $opt in
    r) rounds=$OPTARG ;;
    n) runs=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,6p' "$0" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((r = 0; r < rounds; r++)); do
  i=0
  for cmd in "$@"; do
    hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/$i-$r.json" "$cmd" >/dev/null 2>&1
    i=$((i + 1))
  done
done
i=0
for cmd in "$@"; do
  python3 - "$work" "$i" "$cmd" <<'PY'
import json, statistics, sys, glob
work, i, cmd = sys.argv[1], sys.argv[2], sys.argv[3]
means = [json.load(open(p))["results"][0]["mean"] * 1000 for p in sorted(glob.glob(f"{work}/{i}-*.json"))]
print(f"{statistics.median(means):7.2f} ms median of {len(means)} rounds (means {min(means):.2f}-{max(means):.2f})  {cmd}")
PY
  i=$((i + 1))
done
