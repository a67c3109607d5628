#!/usr/bin/env bash
# Indexing throughput and query latency of two dossier binaries on the same
# generated corpus, in alternating runs (old, new, old, new...), so the
# host's swings hit both alike. Prints each run and the medians.
#
#   scripts/before-after.sh OLD_BINARY NEW_BINARY [DOCS] [ROUNDS]
#
# Defaults: 100000 articles, 3 rounds. Each round rebuilds both indexes
# from scratch (`dossier index --rebuild`), then runs `dossier bench
# --queries scripts/queries.txt --repeat 20` on each. Data goes to
# bench-data/ (the corpus is reused). Needs /usr/bin/time.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,11p' "$0" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
docs=${3:-100000}
rounds=${4:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/bench-data"
corpus="$data/c$docs"
out="$data/before-after-$docs"
mkdir -p "$out"
export DOSSIER_TODAY=2026-11-22
"$new" gen-corpus --docs "$docs" --out "$corpus" --seed 42 >/dev/null

run() { # label binary round
  local label=$1 bin=$2 r=$3 index="$data/before-after-$docs/index-$1"
  /usr/bin/time -v -o "$out/$label-$r.time" "$bin" index "$corpus" --index "$index" --rebuild --quiet --json >"$out/$label-$r.index.json"
  "$bin" bench --queries "$root/scripts/queries.txt" --index "$index" --repeat 20 --json >"$out/$label-$r.bench.json"
  python3 - "$out" "$label" "$r" <<'PY'
import json, re, sys
out, label, r = sys.argv[1:]
summary = json.load(open(f"{out}/{label}-{r}.index.json"))
t = open(f"{out}/{label}-{r}.time").read()
cpu = sum(float(re.search(rf"{k} time \(seconds\): (\S+)", t).group(1)) for k in ("User", "System"))
bench = json.load(open(f"{out}/{label}-{r}.bench.json"))
secs = summary["elapsed"]["secs"] + summary["elapsed"]["nanos"] / 1e9
print(f"{label} round {r}: index {secs:.1f} s wall, {cpu:.1f} CPU-s, {summary['bytes_read'] / 1e6 / secs:.1f} MB/s; "
      f"queries p50 overall {bench['overall']['p50_ms']:.3f} ms")
PY
}
for ((r = 1; r <= rounds; r++)); do
  run old "$old" "$r"
  run new "$new" "$r"
done
python3 - "$out" "$rounds" <<'PY'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def load(label):
    index, cpu, queries = [], [], {}
    for r in range(1, rounds + 1):
        s = json.load(open(f"{out}/{label}-{r}.index.json"))
        index.append(s["bytes_read"] / 1e6 / (s["elapsed"]["secs"] + s["elapsed"]["nanos"] / 1e9))
        t = open(f"{out}/{label}-{r}.time").read()
        cpu.append(sum(float(re.search(rf"{k} time \(seconds\): (\S+)", t).group(1)) for k in ("User", "System")))
        for q in json.load(open(f"{out}/{label}-{r}.bench.json"))["queries"]:
            queries.setdefault(q["query"], []).append(q["p50_ms"])
    return statistics.median(index), statistics.median(cpu), {q: statistics.median(v) for q, v in queries.items()}
old, new = load("old"), load("new")
print()
print(f"| | before | after | after/before |")
print(f"|---|---:|---:|---:|")
print(f"| indexing MB/s (median of {rounds}) | {old[0]:.1f} | {new[0]:.1f} | {new[0] / old[0]:.2f} |")
print(f"| indexing CPU-seconds | {old[1]:.1f} | {new[1]:.1f} | {new[1] / old[1]:.2f} |")
for q in old[2]:
    print(f"| `{q}` p50 ms | {old[2][q]:.3f} | {new[2][q]:.3f} | {new[2][q] / old[2][q]:.2f} |")
PY
