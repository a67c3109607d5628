#!/usr/bin/env bash
# dossier against what users would use instead (SQLite FTS5, ripgrep), on the
# same generated corpora and the same queries (scripts/queries.txt).
#
#   scripts/compare.sh                          # SIZES="10000 100000 1000000"
#   SIZES="10000 100000" scripts/compare.sh     # smaller
#
# Settings (environment): SIZES, SEED (42), REPEAT (query runs, 20),
# RG_REPEAT (ripgrep runs, 3), LARGE_REPEAT (SQLite query runs from 1M
# articles up, 5; ripgrep then runs once: a slow query takes a minute there), DATA (bench-data), PLOT (docs/benchmarks-scaling.svg),
# SKIP_SQLITE=1, SKIP_RG=1, KEEP=1. Corpora are cached in $DATA/corpus-N (same
# seed → same files); indexes and databases are rebuilt on every run and, unless
# KEEP=1, deleted once measured: at 1M articles the corpus takes 7 GB, the index
# 4 GB and the SQLite database 10 GB. Each size first checks the free disk it
# needs. Results go to $DATA/results/N/*.json and the Markdown report to
# $DATA/results/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000 1000000"}
SEED=${SEED:-42}
REPEAT=${REPEAT:-20}
RG_REPEAT=${RG_REPEAT:-3}
DATA=${DATA:-bench-data}
PLOT=${PLOT:-docs/benchmarks-scaling.svg}
QUERIES=scripts/queries.txt
RESULTS=$DATA/results

need_apt() { # command package
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "== installing $2" >&2
    (apt-get update -qq && apt-get install -y -qq "$2") >/dev/null
  fi
}
[ -x /usr/bin/time ] || need_apt time time
[ "${SKIP_RG:-}" = 1 ] || need_apt rg ripgrep
python3 -c 'import sqlite3; c = sqlite3.connect(":memory:"); c.execute("CREATE VIRTUAL TABLE t USING fts5(x)")' \
  || { echo "compare.sh: this Python's sqlite3 lacks FTS5; set SKIP_SQLITE=1" >&2; exit 2; }

echo "== building dossier (release)" >&2
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/dossier
export DOSSIER_TODAY=${DOSSIER_TODAY:-2026-11-22}

# Runs a command under /usr/bin/time -v (peak RSS, which counts the index
# files merges map as well as the heap) and samples the command's anonymous
# memory, the part that must stay bounded, every second.
#   measure TIME_FILE ANON_FILE command...
measure() {
  local time_file=$1 anon_file=$2 peak=0 child kb
  shift 2
  /usr/bin/time -v -o "$time_file" "$@" &
  local timer=$!
  while kill -0 "$timer" 2>/dev/null; do
    child=$(pgrep -P "$timer" | head -1) || child=
    kb=
    if [ -n "$child" ]; then
      kb=$(awk '/^RssAnon/ {print $2}' "/proc/$child/status" 2>/dev/null) || kb=
    fi
    if [ -n "$kb" ] && [ "$kb" -gt "$peak" ]; then peak=$kb; fi
    sleep 1
  done
  wait "$timer"
  printf '{"peak_anon_mb": %s}\n' "$((peak / 1024))" >"$anon_file"
}

# Disk a size needs at its peak, in KB per article: about 7 for the corpus
# (unless cached) and up to 6 for a dossier index, 10 for the SQLite database.
# The ceiling's index is built beside dossier's and deleted before SQLite's
# build, so the peak is the larger of two indexes and one index plus the
# database. A tenth to spare.
check_disk() { # N
  local corpus=7 built=16 need avail
  [ -d "$DATA/corpus-$1" ] && corpus=0
  [ "${SKIP_SQLITE:-}" = 1 ] && built=12
  need=$(($1 * (corpus + built) * 11 / 10))
  avail=$(df --output=avail -k "$DATA" | tail -1)
  if [ "$avail" -lt "$need" ]; then
    echo "compare.sh: $1 articles need about $((need / 1048576 + 1)) GB free in $DATA, which has $((avail / 1048576)) GB; free some space, set DATA to a larger disk, or leave $1 out of SIZES" >&2
    exit 2
  fi
}

mkdir -p "$RESULTS" "$(dirname "$PLOT")"
{
  echo "nproc: $(nproc)"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel: $(uname -r)"
  echo "dossier: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
  echo "sqlite: $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')"
  echo "ripgrep: $(rg --version 2>/dev/null | sed -n 1p)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
} >"$RESULTS/machine.txt"
cat "$RESULTS/machine.txt" >&2

for N in $SIZES; do
  CORPUS=$DATA/corpus-$N
  OUT=$RESULTS/$N
  mkdir -p "$OUT"
  check_disk "$N"
  echo "== $N articles: corpus" >&2
  "$BIN" gen-corpus --docs "$N" --seed "$SEED" --out "$CORPUS" --json >"$OUT/gen.json"

  echo "== $N: dossier index" >&2
  rm -rf "$DATA/index-$N"
  sync
  measure "$OUT/index.time" "$OUT/index_anon.json" \
    "$BIN" index "$CORPUS" --index "$DATA/index-$N" --quiet --json >"$OUT/index.json"
  python3 scripts/compare.py timev "$OUT/index.time" >"$OUT/index_time.json"

  echo "== $N: dossier index --no-extract (the ceiling)" >&2
  rm -rf "$DATA/index-$N-noextract"
  /usr/bin/time -v -o "$OUT/noextract.time" \
    "$BIN" index "$CORPUS" --index "$DATA/index-$N-noextract" --no-extract --quiet --json >"$OUT/noextract.json"
  python3 scripts/compare.py timev "$OUT/noextract.time" >"$OUT/noextract_time.json"
  rm -rf "$DATA/index-$N-noextract"

  SLOW_REPEAT=$REPEAT
  SLOW_RG_REPEAT=$RG_REPEAT
  if [ "$N" -ge 1000000 ]; then
    SLOW_REPEAT=${LARGE_REPEAT:-5}
    SLOW_RG_REPEAT=1
  fi

  echo "== $N: dossier bench" >&2
  "$BIN" bench --queries "$QUERIES" --index "$DATA/index-$N" --repeat "$REPEAT" --json >"$OUT/bench.json"

  SQLITE_BYTES=0
  if [ "${SKIP_SQLITE:-}" != 1 ]; then
    echo "== $N: SQLite FTS5 build" >&2
    /usr/bin/time -v -o "$OUT/sqlite.time" \
      python3 scripts/compare.py sqlite-build "$CORPUS" "$DATA/sqlite-$N.db"
    python3 scripts/compare.py timev "$OUT/sqlite.time" >"$OUT/sqlite_time.json"
    echo "== $N: SQLite FTS5 queries" >&2
    python3 scripts/compare.py sqlite-bench "$DATA/sqlite-$N.db" "$QUERIES" "$SLOW_REPEAT" >"$OUT/sqlite_bench.json"
    SQLITE_BYTES=$(stat -c %s "$DATA/sqlite-$N.db")
  fi
  if [ "${SKIP_RG:-}" != 1 ]; then
    echo "== $N: ripgrep" >&2
    python3 scripts/compare.py rg-bench "$CORPUS" "$QUERIES" "$SLOW_RG_REPEAT" >"$OUT/rg.json"
  fi
  CORPUS_BYTES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes"])' "$OUT/gen.json")
  INDEX_BYTES=$(du -sb "$DATA/index-$N" | cut -f1)
  printf '{"corpus_bytes": %s, "index_bytes": %s, "sqlite_bytes": %s}\n' \
    "$CORPUS_BYTES" "$INDEX_BYTES" "$SQLITE_BYTES" >"$OUT/sizes.json"
  if [ "${KEEP:-}" != 1 ]; then
    rm -rf "$DATA/index-$N" "$DATA/sqlite-$N.db"
  fi
done

python3 scripts/compare.py report "$RESULTS" "$PLOT" >"$RESULTS/report.md"
cat "$RESULTS/report.md"
echo "== report: $RESULTS/report.md, plot: $PLOT" >&2
