#!/usr/bin/env bash
# Whole-command latency, warm cache: `dossier search --json` against the
# sqlite3 command-line tool answering the same question from an FTS5 table
# of the same text (scripts/compare.py builds it), with hyperfine.
#
#   scripts/latency.sh [DOSSIER_BINARY] [DOCS]
#
# Defaults: target/release/dossier, 20000 articles. Data goes to
# bench-data/ (reused on later runs). Prints hyperfine's tables and writes
# its JSON to bench-data/latency-DOCS/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/target/release/dossier}")
docs=${2:-20000}
data="$root/bench-data"
corpus="$data/c$docs"
index="$data/latency-$docs/index"
db="$data/sqlite-$docs.db"
out="$data/latency-$docs"
mkdir -p "$out"
for tool in hyperfine sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "latency.sh: $tool is needed (apt-get install $tool)" >&2; exit 2; }
done
export DOSSIER_TODAY=2026-11-22
"$bin" gen-corpus --docs "$docs" --out "$corpus" --seed 42 >/dev/null
"$bin" index "$corpus" --index "$index" --quiet >/dev/null
[ -f "$db" ] || python3 "$root/scripts/compare.py" sqlite-build "$corpus" "$db"

# The same questions in SQL: the count, then the top 10 by BM25 (title
# weighted 2) with a snippet; and the facet counts over every article with
# the newest article (picked from the date index first: joined directly,
# SQLite's planner scans the whole FTS table, which took it 100 ms).
rare_sql="SELECT count(*) FROM fts WHERE fts MATCH 'quillmere';
SELECT fts.rowid, docs.path, fts.title, docs.date, bm25(fts, 2.0, 1.0, 1.0) AS score,
       snippet(fts, 1, '[', ']', '...', 24)
  FROM fts JOIN docs ON docs.id = fts.rowid WHERE fts MATCH 'quillmere' ORDER BY score LIMIT 10;"
facets_sql="SELECT count(*) FROM docs;
SELECT d.id, d.path, fts.title, d.date, substr(fts.body, 1, 240)
  FROM (SELECT id, path, date FROM docs ORDER BY date DESC LIMIT 1) AS d
  JOIN fts ON fts.rowid = d.id;
SELECT kind, value, count(*) FROM facets GROUP BY kind, value;
SELECT 'year', substr(date, 1, 4), count(*) FROM docs GROUP BY 2;"

hyperfine --warmup 20 --runs 200 -N --export-json "$out/rare.json" \
  -n "dossier search quillmere --json" "$bin search quillmere --index $index --json" \
  -n "sqlite3 (FTS5) rare word" "sqlite3 $db \"$rare_sql\"" \
  -n "dossier --version" "$bin --version"
hyperfine --warmup 20 --runs 200 -N --export-json "$out/facets.json" \
  -n "dossier search --facets --limit 1 --json" "$bin search --facets --limit 1 --index $index --json" \
  -n "sqlite3 (FTS5) facets + newest" "sqlite3 $db \"$facets_sql\""
