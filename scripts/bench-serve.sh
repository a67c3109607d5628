#!/usr/bin/env bash
# Load on `dossier serve`: wrk on loopback, 64 connections for 30 s, cycling
# through the benchmark query set (scripts/queries.txt, turned into
# /api/search query strings), against an index of DOCS generated articles;
# the server's memory sampled every second; then the same queries' in-process
# latency with `dossier bench`, for comparison.
#
#   scripts/bench-serve.sh [DOSSIER_BINARY] [DOCS] [SECONDS] [CONNECTIONS]
#
# Defaults: target/release/dossier, 100000 articles, 30 s, 64 connections.
# Data goes to bench-data/ (reused on later runs); results to
# bench-data/serve-DOCS/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/target/release/dossier}")
docs=${2:-100000}
seconds=${3:-30}
connections=${4:-64}
data="$root/bench-data"
corpus="$data/c$docs"
index="$data/i$docs"
out="$data/serve-$docs"
mkdir -p "$out"
command -v wrk >/dev/null || { echo "bench-serve.sh: wrk is needed (apt-get install wrk)" >&2; exit 2; }
export DOSSIER_TODAY=2026-11-22
[ -d "$corpus" ] || "$bin" gen-corpus --docs "$docs" --out "$corpus" --seed 42 >/dev/null
"$bin" index "$corpus" --index "$index" --quiet >/dev/null

# One request path per query line, in the file's order.
python3 - "$root/scripts/queries.txt" "$out/paths.txt" <<'PY'
import shlex, sys, urllib.parse
flags = {"-n": "limit", "--limit": "limit"}
paths = []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    words, pairs, text = shlex.split(line), [], []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--facets":
            pairs.append(("facets", "true"))
        elif word.startswith("-"):
            pairs.append((flags.get(word, word.lstrip("-")), words[i + 1]))
            i += 1
        else:
            text.append(word)
        i += 1
    if text:
        pairs.insert(0, ("q", " ".join(text)))
    paths.append("/api/search?" + urllib.parse.urlencode(pairs))
open(sys.argv[2], "w").write("\n".join(paths) + "\n")
PY
{
  echo 'local paths = {}'
  while read -r path; do echo "paths[#paths + 1] = \"$path\""; done < "$out/paths.txt"
  cat <<'LUA'
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
LUA
} > "$out/mixed.lua"

"$bin" serve --index "$index" --addr 127.0.0.1:0 --quiet 2>"$out/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  url=$(grep -o 'http://[^ ]*/' "$out/serve.log" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out/serve.log" >&2; exit 1; }
# Every query once, so the first timed requests do not pay for cold pages.
while read -r path; do curl -sf -o /dev/null "${url%/}$path"; done < "$out/paths.txt"
: > "$out/rss-kb.txt"
# Resident memory and its anonymous part (heap and stacks; the rest is the
# index's mapped files, which belong to the page cache), in kB, each second.
( while kill -0 $server 2>/dev/null; do
    awk '/^VmRSS/ {r = $2} /^RssAnon/ {a = $2} END {print r, a}' "/proc/$server/status" >> "$out/rss-kb.txt"
    sleep 1
  done ) &
sampler=$!
wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${seconds}s" --latency -s "$out/mixed.lua" "${url%/}" | tee "$out/wrk.txt"
kill $sampler 2>/dev/null || true
awk 'NR == 1 {r1 = $1; a1 = $2} {if ($1 > rm) rm = $1; if ($2 > am) am = $2; r = $1; a = $2}
     END {printf "server memory (MB) over the run, first/max/last: RSS %.0f/%.0f/%.0f, anonymous %.0f/%.0f/%.0f\n",
          r1/1024, rm/1024, r/1024, a1/1024, am/1024, a/1024}' "$out/rss-kb.txt"
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true
echo "in-process latency of the same queries (dossier bench):"
"$bin" bench --queries "$root/scripts/queries.txt" --index "$index" --repeat 20 | tee "$out/bench.txt"
