#!/usr/bin/env bash
# PDF indexing throughput: makes REPORTS report-like PDFs of PAGES pages with
# LibreOffice (scripts/pdf-bench-sources.py, scripts/pdf-fixtures.py), copies
# them to COPIES files each, then times `dossier index` (release build) on
# them, parsing in process and in worker processes, with and without
# extraction. Prints pages/s, MB/s (of PDF files) and CPU-seconds.
#
#   scripts/bench-pdf.sh [-r REPORTS] [-p PAGES] [-c COPIES] [-j THREADS] [-k DIR]
#
# -k keeps the generated PDFs in DIR (and reuses them when present).
# Needs soffice, hyphen-en-us, pdfinfo (see scripts/pdf-fixtures.py).
set -euo pipefail
reports=6 pages=20 copies=20 threads="" keep=""
while getopts "r:p:c:j:k:" opt; do
  case $opt in
    r) reports=$OPTARG ;;
    p) pages=$OPTARG ;;
    c) copies=$OPTARG ;;
    j) threads=$OPTARG ;;
    k) keep=$OPTARG ;;
    *) sed -n '2,10p' "$0" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pdfs=${keep:-$work/pdfs}

(cd "$root" && cargo build --release --quiet)
dossier=$target/release/dossier

if ! ls "$pdfs"/bench-*.pdf >/dev/null 2>&1; then
  mkdir -p "$pdfs"
  python3 "$root/scripts/pdf-bench-sources.py" "$work/src" "$reports" "$pages"
  python3 "$root/scripts/pdf-fixtures.py" --sources "$work/src" --dest "$pdfs" >/dev/null
fi
mkdir -p "$work/corpus"
total_pages=0
for pdf in "$pdfs"/bench-*.pdf; do
  n=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  for ((c = 0; c < copies; c++)); do
    cp "$pdf" "$work/corpus/$(basename "$pdf" .pdf)-$c.pdf"
    total_pages=$((total_pages + n))
  done
done
files=$(ls "$work/corpus" | wc -l)
bytes=$(du -cb "$work/corpus"/*.pdf | tail -1 | cut -f1)
echo "corpus: $files PDFs, $total_pages pages, $(awk "BEGIN {printf \"%.1f\", $bytes / 1e6}") MB; $(nproc) cores"

run() {
  local label=$1
  shift
  rm -rf "$work/index"
  local env=()
  [ -n "$threads" ] && env=(RAYON_NUM_THREADS="$threads")
  /usr/bin/time -f "%e %U %S" -o "$work/time" env "${env[@]}" \
    "$dossier" index "$work/corpus" --index "$work/index" --quiet --progress none "$@" >/dev/null
  read -r wall user sys <"$work/time"
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v p="$total_pages" -v b="$bytes" 'BEGIN {
    printf "%-34s %6.2f s wall %7.2f CPU-s  %7.1f pages/s  %5.2f MB/s  %6.1f pages per CPU-s\n",
      l, w, u + s, p / w, b / 1e6 / w, p / (u + s)
  }'
}
run "in process" --parse-in-process
run "in process, no extraction" --parse-in-process --no-extract
run "worker processes"
run "worker processes, no extraction" --no-extract
