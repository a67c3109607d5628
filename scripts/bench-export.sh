#!/usr/bin/env bash
# Export throughput and peak memory of `dossier export`, every format, from
# an existing index. Prints a Markdown table (BENCHMARKS.md).
#
#   scripts/bench-export.sh INDEX_DIR SCRATCH_DIR [ROUNDS] [FORMAT...]
#
# Each round exports every format once, in turn; the table gives each
# format's median over the rounds. The exports are deleted after each run
# (a 1M-article export takes about 6 GB); KEEP=1 keeps the last round's.
# DOSSIER picks the binary (default target/release/dossier).
set -euo pipefail
bin=${DOSSIER:-target/release/dossier}
index=${1:?usage: scripts/bench-export.sh INDEX_DIR SCRATCH_DIR [ROUNDS] [FORMAT...]}
scratch=${2:?usage: scripts/bench-export.sh INDEX_DIR SCRATCH_DIR [ROUNDS] [FORMAT...]}
rounds=${3:-1}
shift $(( $# < 3 ? $# : 3 ))
formats=${*:-ndjson quickwit elasticsearch stix}
mkdir -p "$scratch"
runs="$scratch/runs.tsv"
: > "$runs"
for round in $(seq 1 "$rounds"); do
  for format in $formats; do
    out="$scratch/$format"
    rm -rf "$out"
    # Peak RSS counts the index pages the export maps and reads; the
    # anonymous memory (heap and stacks), sampled twice a second, is the
    # part that must stay flat whatever the index's size.
    /usr/bin/time -f '%e %M' -o "$scratch/time" \
      "$bin" export --index "$index" --format "$format" --out "$out" --quiet --json > "$scratch/summary.json" &
    timer=$!
    anon_peak=0
    while kill -0 "$timer" 2>/dev/null; do
      child=$(pgrep -P "$timer" | head -1) || child=
      kb=
      if [ -n "$child" ]; then kb=$(awk '/^RssAnon/ {print $2}' "/proc/$child/status" 2>/dev/null) || kb=; fi
      if [ -n "$kb" ] && [ "$kb" -gt "$anon_peak" ]; then anon_peak=$kb; fi
      sleep 0.5
    done
    wait "$timer"
    read -r seconds rss_kb < "$scratch/time"
    python3 - "$scratch/summary.json" "$format" "$seconds" "$rss_kb" "$round" "$anon_peak" >> "$runs" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
fmt, seconds, rss_kb, round_, anon_kb = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
print("\t".join(map(str, [round_, fmt, summary["articles_matched"], summary["articles_written"],
                          len(summary["files"]), summary["bytes"], seconds, rss_kb, anon_kb])))
PY
    echo "round $round: $format done in ${seconds}s" >&2
    if [ "${KEEP:-0}" != 1 ] || [ "$round" != "$rounds" ]; then rm -rf "$out"; fi
  done
done
python3 - "$runs" $formats <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
print("| format | articles written | files | MB written | seconds (median) | articles/s | MB/s written | peak RSS MB | peak anonymous MB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for fmt in sys.argv[2:]:
    runs = [r for r in rows if r[1] == fmt]
    written, files, size = int(runs[0][3]), int(runs[0][4]), int(runs[0][5])
    seconds = statistics.median(float(r[6]) for r in runs)
    rss = max(int(r[7]) for r in runs) / 1024
    anon = max(int(r[8]) for r in runs) / 1024
    print(f"| {fmt} | {written:,} | {files:,} | {size/1e6:,.0f} | {seconds:.1f} | {written/seconds:,.0f} | {size/1e6/seconds:.1f} | {rss:,.0f} | {anon:,.0f} |")
PY
