#!/usr/bin/env bash
# Indexing throughput of the JSON Lines and STIX readers: writes a
# deterministic JSON Lines feed of ARTICLES articles (varied field names,
# HTML bodies, declared actors and countries on a third of them) and a STIX
# 2.1 bundle of ARTICLES/10 reports (each referring to an intrusion set, a
# malware, a vulnerability, an attack pattern, two locations and their
# relationships), then times `dossier index` on each, with extraction and
# with --no-extract (the reader and index alone). Prints MB/s, articles/s
# and peak memory.
#
#   cargo build --release && scripts/bench-json.sh [ARTICLES] [OUT]
#
# ARTICLES defaults to 50000, OUT to bench-data/json (reused when it holds
# a corpus of ARTICLES articles already). The binary is
# $CARGO_TARGET_DIR/release/dossier (target/release/dossier by default).
set -euo pipefail
articles=${1:-50000}
out=${2:-bench-data/json}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CARGO_TARGET_DIR:-$root/target}/release/dossier
[ -x "$bin" ] || { echo "build first: cargo build --release ($bin missing)" >&2; exit 2; }
mkdir -p "$out/feed" "$out/stix"

if [ "$(cat "$out/.articles" 2>/dev/null)" != "$articles v2" ]; then
python3 - "$articles" "$out" "$root/data/wordlist.txt" <<'PY'
import json, random, sys
articles, out, wordlist = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(42)
words = [w.strip() for w in open(wordlist) if w.strip()][:8000]
weights = [1 / (rank + 1) for rank in range(len(words))]
actors = ["APT28", "APT29", "Sandworm", "APT31", "Kimsuky", "Turla", "Lazarus Group", "Volt Typhoon"]
countries = ["Germany", "Poland", "Ukraine", "United Kingdom", "Finland", "South Korea", "Japan", "Taiwan"]

def sentence():
    text = " ".join(rng.choices(words, weights, k=rng.randint(8, 24)))
    return text[0].upper() + text[1:] + "."

def paragraphs(n):
    return [" ".join(sentence() for _ in range(rng.randint(3, 6))) for _ in range(n)]

with open(f"{out}/feed/feed.jsonl", "w") as feed:
    for i in range(articles):
        body = paragraphs(rng.randint(3, 8))
        day = f"20{rng.randint(10, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        style = i % 3
        if style == 0:
            item = {"id": f"a{i}", "title": sentence(), "published": day + "T09:00:00Z",
                    "url": f"https://news.example.net/{i}", "source": "Bench Wire",
                    "content": "".join(f"<p>{p}</p>" for p in body),
                    "actors": [rng.choice(actors)], "countries": [rng.choice(countries)]}
        elif style == 1:
            item = {"guid": f"g{i}", "headline": sentence(), "published_at": day,
                    "link": f"https://blog.example.org/{i}", "body": "\n\n".join(body)}
        else:
            item = {"title": {"rendered": sentence()}, "date": day + "T12:00:00",
                    "content": {"rendered": "".join(f"<p>{p}</p>" for p in body)}}
        feed.write(json.dumps(item) + "\n")

objects = [{"type": "identity", "spec_version": "2.1", "id": "identity--00000000-0000-4000-8000-000000000000",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "name": "Bench Intelligence", "identity_class": "organization"}]
def sid(kind, n):
    return f"{kind}--00000000-0000-4000-8000-{n:012d}"
for n, name in enumerate(actors):
    objects.append({"type": "intrusion-set", "spec_version": "2.1", "id": sid("intrusion-set", n),
                    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                    "name": name, "aliases": [name + " Team"]})
for n, name in enumerate(countries):
    objects.append({"type": "location", "spec_version": "2.1", "id": sid("location", n),
                    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                    "name": name})
# Where each actor comes from, as an analyst's bundle says it: fixed per actor.
origins = ["RU", "RU", "RU", "CN", "KP", "RU", "KP", "CN"]
for n, code in enumerate(sorted(set(origins))):
    objects.append({"type": "location", "spec_version": "2.1", "id": sid("location", 100 + n),
                    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                    "name": code, "country": code})
origin_of = [sid("location", 100 + sorted(set(origins)).index(code)) for code in origins]
reports = max(1, articles // 10)
for i in range(reports):
    actor = rng.randrange(len(actors))
    refs = [sid("intrusion-set", actor)]
    for kind, extra in [("malware", {"name": f"Implant{i % 97}", "is_family": True}),
                        ("vulnerability", {"name": f"CVE-2024-{1000 + i % 9000}",
                                           "external_references": [{"source_name": "cve", "external_id": f"CVE-2024-{1000 + i % 9000}"}]}),
                        ("attack-pattern", {"name": "Spearphishing Link",
                                            "external_references": [{"source_name": "mitre-attack", "external_id": "T1566.002"}]})]:
        obj = {"type": kind, "spec_version": "2.1", "id": sid(kind, i),
               "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", **extra}
        objects.append(obj)
        refs.append(obj["id"])
    for place, kind in [(sid("location", rng.randrange(len(countries))), "targets"), (origin_of[actor], "originates-from")]:
        rel = {"type": "relationship", "spec_version": "2.1", "id": sid("relationship", 2 * i + (kind == "targets")),
               "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
               "relationship_type": kind, "source_ref": refs[0], "target_ref": place}
        objects.append(rel)
        refs += [rel["id"], rel["target_ref"]]
    objects.append({"type": "report", "spec_version": "2.1", "id": sid("report", i),
                    "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                    "name": sentence(), "published": "2024-03-01T00:00:00Z",
                    "description": "\n\n".join(paragraphs(rng.randint(3, 8))), "object_refs": refs,
                    "created_by_ref": objects[0]["id"]})
with open(f"{out}/stix/bundle.json", "w") as bundle:
    json.dump({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": objects}, bundle)
PY
echo "$articles v2" >"$out/.articles"
fi

run() {
  local name=$1 dir=$2 count=$3
  shift 3
  local bytes index times
  bytes=$(du -cb "$dir" | tail -1 | cut -f1)
  index=$(mktemp -d)
  /usr/bin/time -f "%e %M" -o "$index/time" "$bin" index "$dir" --index "$index/i" --quiet "$@" >/dev/null 2>&1
  times=$(tail -1 "$index/time")
  rm -rf "$index"
  python3 - "$name" "$bytes" "$count" $times "$*" <<'PY'
import sys
name, size, count, seconds, kib, flags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else ""
print(f"{name:5} {flags:13} {size / 2**20:8.1f} MiB {count:8d} articles {seconds:7.2f} s "
      f"{size / 2**20 / seconds:7.1f} MiB/s {count / seconds:9.0f} articles/s  peak {kib / 1024:6.0f} MiB")
PY
}
run json "$out/feed" "$articles"
run json "$out/feed" "$articles" --no-extract
run stix "$out/stix" "$((articles / 10 > 0 ? articles / 10 : 1))"
run stix "$out/stix" "$((articles / 10 > 0 ? articles / 10 : 1))" --no-extract
