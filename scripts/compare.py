#!/usr/bin/env python3
"""Helpers of scripts/compare.sh (standard library only).

  compare.py timev FILE                      /usr/bin/time -v output -> JSON {seconds, peak_rss_mb}
  compare.py sqlite-build CORPUS DB          SQLite FTS5 index (bm25) + facet table from manifest.tsv
  compare.py sqlite-bench DB QUERIES REPEAT  the dossier query file, translated to SQL; JSON like `dossier bench --json`
  compare.py rg-bench CORPUS QUERIES REPEAT  ripgrep on the text part of each query (-l and -c); JSON
  compare.py report RESULTS SVG              Markdown tables on stdout and the scaling plot as SVG

The SQLite side gets its facets (actors, sponsors, targets) from the
generator's manifest.tsv, i.e. for free: SQLite cannot extract them itself.
Its build time therefore excludes extraction, which favours SQLite.
"""

import json
import math
import os
import re
import shlex
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------- helpers

def percentile(sorted_samples, p):
    """Nearest rank, as `dossier bench` computes it."""
    if not sorted_samples:
        return 0.0
    rank = max(1, min(len(sorted_samples), math.ceil(p * len(sorted_samples))))
    return sorted_samples[rank - 1]


def query_lines(path):
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def parse_line(line):
    """The subset of `dossier search` flags the query file uses."""
    words = shlex.split(line)
    q = {"text": None, "country": [], "actor": [], "sponsor": [], "since": None,
         "until": None, "limit": 10, "facets": False}
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("--country", "--actor", "--sponsor"):
            q[w[2:]].append(words[i + 1])
            i += 2
        elif w in ("--since", "--until"):
            q[w[2:]] = words[i + 1]
            i += 2
        elif w in ("-n", "--limit"):
            q["limit"] = int(words[i + 1])
            i += 2
        elif w == "--facets":
            q["facets"] = True
            i += 1
        elif w.startswith("-"):
            raise SystemExit(f"compare.py: unsupported flag {w} in {line!r}")
        else:
            q["text"] = w if q["text"] is None else q["text"] + " " + w
            i += 1
    return q


def fts5_match(text):
    """Tantivy-style text (bare words AND'ed, "phrases") as an FTS5 MATCH string."""
    parts = re.findall(r'"[^"]*"|\S+', text)
    return " ".join(p if p.startswith('"') else '"' + p.replace('"', "") + '"' for p in parts)


def actors_table():
    with open(os.path.join(ROOT, "data", "actors.json")) as f:
        actors = json.load(f)
    by_name = {a["name"]: a for a in actors}
    by_alias = {}
    for a in actors:
        for alias in [a["name"], *a["aliases"], *a.get("word_aliases", [])]:
            by_alias[re.sub(r"[\s\-_.]", "", alias.lower())] = a["name"]
    return by_name, by_alias


# ---------------------------------------------------------------- /usr/bin/time -v

def timev(path):
    text = open(path).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    cpu = sum(float(re.search(rf"{k} time \(seconds\): (\S+)", text).group(1)) for k in ("User", "System"))
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": rss / 1024}))


# ---------------------------------------------------------------- SQLite FTS5

def sqlite_build(corpus, db):
    if os.path.exists(db):
        os.remove(db)
    by_name, _ = actors_table()
    con = sqlite3.connect(db)
    con.executescript("""
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE docs (id INTEGER PRIMARY KEY, path TEXT, date TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(title, body, aliases, tokenize = 'porter unicode61');
        CREATE TABLE facets (doc INTEGER, kind TEXT, value TEXT);
    """)
    batch_docs, batch_fts, batch_facets = [], [], []

    def flush():
        con.executemany("INSERT INTO docs VALUES (?, ?, ?)", batch_docs)
        con.executemany("INSERT INTO fts (rowid, title, body, aliases) VALUES (?, ?, ?, ?)", batch_fts)
        con.executemany("INSERT INTO facets VALUES (?, ?, ?)", batch_facets)
        con.commit()
        batch_docs.clear(); batch_fts.clear(); batch_facets.clear()

    with open(os.path.join(corpus, "manifest.tsv")) as manifest:
        for rowid, line in enumerate((l for l in manifest if not l.startswith("#")), start=1):
            path, date, actors, sponsors, targets, _markers = line.rstrip("\n").split("\t")
            with open(os.path.join(corpus, path), encoding="utf-8") as f:
                text = f.read()
            body = re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s*", "", text)
            title = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]
            aliases = []
            for kind, values in (("actor", actors), ("sponsor", sponsors), ("target", targets)):
                for v in filter(None, values.split(";")):
                    batch_facets.append((rowid, kind, v))
                    if kind == "actor" and v in by_name:
                        a = by_name[v]
                        aliases += [a["name"], *a["aliases"], *a.get("word_aliases", [])]
            batch_docs.append((rowid, path, date or None))
            batch_fts.append((rowid, title, body, " ; ".join(aliases)))
            if len(batch_docs) >= 5000:
                flush()
    flush()
    con.executescript("""
        CREATE INDEX facets_doc ON facets (doc, kind, value);
        CREATE INDEX facets_kind ON facets (kind, value, doc);
        CREATE INDEX docs_date ON docs (date);
        INSERT INTO fts (fts) VALUES ('optimize');
    """)
    con.close()


def sqlite_query(con, q, by_alias):
    """Runs one query as dossier would answer it: count, top `limit`
    (bm25 with the title weighted 2, or newest first), snippets, facets."""
    where, args = [], []
    if q["text"]:
        where.append("docs.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
        args.append(fts5_match(q["text"]))
    for kind, flag in (("target", "country"), ("actor", "actor"), ("sponsor", "sponsor")):
        values = q[flag]
        if kind == "actor":
            values = [by_alias.get(re.sub(r"[\s\-_.]", "", v.lower()), v) for v in values]
        if values:
            where.append(f"docs.id IN (SELECT doc FROM facets WHERE kind = ? AND value IN ({','.join('?' * len(values))}))")
            args += [kind, *values]
    if q["since"]:
        where.append("docs.date >= ?"); args.append(q["since"])
    if q["until"]:
        where.append("docs.date <= ?"); args.append(q["until"])
    cond = " AND ".join(where) or "1"
    total = con.execute(f"SELECT count(*) FROM docs WHERE {cond}", args).fetchone()[0]
    hits = []
    if q["limit"] > 0:
        if q["text"]:
            rest = [c for c in where[1:]]
            sql = ("SELECT fts.rowid, docs.path, fts.title, docs.date, bm25(fts, 2.0, 1.0, 1.0) AS score, "
                   "snippet(fts, 1, '[', ']', '...', 24) FROM fts JOIN docs ON docs.id = fts.rowid "
                   f"WHERE fts MATCH ? {''.join(' AND ' + c for c in rest)} ORDER BY score LIMIT ?")
            hits = con.execute(sql, [args[0], *args[1:], q["limit"]]).fetchall()
        else:
            # The newest first from the date index, then their text: joined
            # directly, SQLite's planner scans the whole FTS table.
            sql = (f"SELECT d.id, d.path, fts.title, d.date, substr(fts.body, 1, 240) FROM "
                   f"(SELECT docs.id, docs.path, docs.date FROM docs WHERE {cond} ORDER BY docs.date DESC LIMIT ?) AS d "
                   f"JOIN fts ON fts.rowid = d.id ORDER BY d.date DESC")
            hits = con.execute(sql, [*args, q["limit"]]).fetchall()
    facets = None
    if q["facets"]:
        if where:
            matched = f"SELECT id FROM docs WHERE {cond}"
            facets = con.execute(
                f"SELECT kind, value, count(*) FROM facets WHERE doc IN ({matched}) GROUP BY kind, value", args
            ).fetchall()
            facets += con.execute(
                f"SELECT 'year', substr(date, 1, 4), count(*) FROM docs WHERE {cond} GROUP BY 2", args
            ).fetchall()
        else:
            facets = con.execute("SELECT kind, value, count(*) FROM facets GROUP BY kind, value").fetchall()
            facets += con.execute("SELECT 'year', substr(date, 1, 4), count(*) FROM docs GROUP BY 2").fetchall()
    return total, hits, facets


def sqlite_bench(db, queries, repeat):
    _, by_alias = actors_table()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    results, everything = [], []
    for line in query_lines(queries):
        q = parse_line(line)
        total, _, _ = sqlite_query(con, q, by_alias)  # warm-up
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            sqlite_query(con, q, by_alias)
            samples.append((time.perf_counter() - t) * 1000)
        everything += samples
        samples.sort()
        results.append({"query": line, "total_hits": total, "p50_ms": percentile(samples, 0.5),
                        "p99_ms": percentile(samples, 0.99), "mean_ms": statistics.fmean(samples)})
    everything.sort()
    print(json.dumps({"repeat": repeat, "queries": results, "overall": {
        "runs": len(everything), "p50_ms": percentile(everything, 0.5), "p99_ms": percentile(everything, 0.99)}}))


# ---------------------------------------------------------------- ripgrep

def rg_bench(corpus, queries, repeat):
    """ripgrep can only answer the text part: `rg -l` (files) and `rg -c`
    (counts per file) for single words and phrases, case-insensitive whole words."""
    results = []
    for line in query_lines(queries):
        q = parse_line(line)
        text = q["text"]
        if not text or q["country"] or q["actor"] or q["since"] or q["facets"]:
            continue
        if " " in text and not text.startswith('"'):
            continue  # AND of words in any order: not one rg pattern
        pattern = text.strip('"')
        row = {"query": line}
        for mode in ("-l", "-c"):
            samples, out = [], b""
            for _ in range(repeat):
                t = time.perf_counter()
                out = subprocess.run(["rg", mode, "-i", "-w", "-F", "-g", "*.txt", pattern, corpus],
                                     stdout=subprocess.PIPE, check=False).stdout
                samples.append((time.perf_counter() - t) * 1000)
            samples.sort()
            key = "l" if mode == "-l" else "c"
            row[f"{key}_p50_ms"] = percentile(samples, 0.5)
            row[f"{key}_runs"] = repeat
            if mode == "-l":
                row["files"] = len(out.splitlines())
        results.append(row)
    print(json.dumps({"repeat": repeat, "queries": results}))


# ---------------------------------------------------------------- report

def fmt(x, digits=1):
    if x is None:
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}" if x >= 1 else f"{x:.{max(digits, 2)}f}"


def ratio(a, b):
    return f"{a / b:,.1f}x" if a and b else "n/a"


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def report(results, svg):
    sizes = sorted(int(d) for d in os.listdir(results) if d.isdigit())
    runs = {n: {k: load(os.path.join(results, str(n), f"{k}.json")) for k in
                ("gen", "index", "index_time", "index_anon", "noextract", "noextract_time", "sizes", "bench",
                 "sqlite_time", "sqlite_bench", "rg")} for n in sizes}
    out = []
    out.append("### Indexing\n")
    out.append("| articles | corpus MB | dossier s | MB/s | docs/s | peak RSS MB | peak heap MB | index MB | index/corpus | --no-extract s | dossier/ceiling | SQLite FTS5 s | SQLite peak RSS MB | SQLite DB MB |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        r = runs[n]
        mb = r["gen"]["bytes"] / 1e6
        t = r["index_time"]["seconds"]
        ne = r["noextract_time"]["seconds"] if r["noextract_time"] else None
        sq = r["sqlite_time"] or {}
        s = r["sizes"]
        out.append(f"| {n:,} | {fmt(mb)} | {fmt(t)} | {fmt(mb / t)} | {fmt(n / t, 0)} | {fmt(r['index_time']['peak_rss_mb'], 0)} | "
                   f"{fmt((r['index_anon'] or {}).get('peak_anon_mb'), 0)} | "
                   f"{fmt(s['index_bytes'] / 1e6)} | {s['index_bytes'] / r['gen']['bytes']:.2f} | {fmt(ne)} | "
                   f"{(ne / t * 100):.0f}% | {fmt(sq.get('seconds'))} | {fmt(sq.get('peak_rss_mb'), 0)} | "
                   f"{fmt(s.get('sqlite_bytes', 0) / 1e6)} |")
    out.append("")
    if len(sizes) >= 2:
        xs = [runs[n]["gen"]["bytes"] / 1e6 for n in sizes]
        ys = [runs[n]["index_time"]["seconds"] for n in sizes]
        slope = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
        out.append(f"Indexing slope between {sizes[0]:,} and {sizes[-1]:,} articles: "
                   f"{slope * 1000:.1f} s per GB of text ({1 / slope:.1f} MB/s marginal).\n")
    for n in sizes:
        r = runs[n]
        out.append(f"### Queries at {n:,} articles (p50 / p99 ms; in-process for dossier and SQLite)\n")
        out.append("| query | hits | dossier p50 | dossier p99 | SQLite hits | SQLite p50 | SQLite p99 | SQLite/dossier (p50) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        sq = {q["query"]: q for q in (r["sqlite_bench"] or {"queries": []})["queries"]}
        for q in r["bench"]["queries"]:
            s = sq.get(q["query"], {})
            out.append(f"| `{q['query']}` | {q['total_hits']:,} | {fmt(q['p50_ms'], 2)} | {fmt(q['p99_ms'], 2)} | "
                       f"{s.get('total_hits', 0):,} | {fmt(s.get('p50_ms'), 2)} | {fmt(s.get('p99_ms'), 2)} | "
                       f"{ratio(s.get('p50_ms'), q['p50_ms'])} |")
        o = r["bench"]["overall"]
        so = (r["sqlite_bench"] or {}).get("overall", {})
        out.append(f"| **all runs** | | {fmt(o['p50_ms'], 2)} | {fmt(o['p99_ms'], 2)} | | {fmt(so.get('p50_ms'), 2)} | "
                   f"{fmt(so.get('p99_ms'), 2)} | {ratio(so.get('p50_ms'), o['p50_ms'])} |")
        out.append("")
        if r["rg"]:
            dq = {q["query"]: q for q in r["bench"]["queries"]}
            out.append(f"ripgrep at {n:,} articles (wall ms per run, whole process, warm page cache):\n")
            out.append("| query | files | rg -l p50 | rg -c p50 | dossier p50 | rg -l / dossier |")
            out.append("|---|---:|---:|---:|---:|---:|")
            for q in r["rg"]["queries"]:
                d = dq.get(q["query"], {})
                out.append(f"| `{q['query']}` | {q['files']:,} | {fmt(q['l_p50_ms'])} | {fmt(q['c_p50_ms'])} | "
                           f"{fmt(d.get('p50_ms'), 2)} | {ratio(q['l_p50_ms'], d.get('p50_ms'))} |")
            out.append("")
    print("\n".join(out))
    if svg:
        write_svg(svg, sizes, runs)


def write_svg(path, sizes, runs):
    """Log-log plot of cost against corpus size: indexing seconds and query
    p50 milliseconds, for dossier, SQLite FTS5 and ripgrep."""
    series = []

    def add(name, colour, dash, getter):
        pts = []
        for n in sizes:
            try:
                v = getter(runs[n])
            except (KeyError, TypeError):
                v = None
            if v:
                pts.append((n, v))
        if pts:
            series.append((name, colour, dash, pts))

    def q(r, key, text, field="p50_ms"):
        for item in r[key]["queries"]:
            if item["query"] == text:
                return item[field]
        return None

    add("dossier index build (s)", "#1f77b4", "", lambda r: r["index_time"]["seconds"])
    add("SQLite FTS5 build (s)", "#d62728", "", lambda r: r["sqlite_time"]["seconds"])
    add("dossier rare term top-10 p50 (ms)", "#1f77b4", "6,3", lambda r: q(r, "bench", "quillmere"))
    add("SQLite rare term top-10 p50 (ms)", "#d62728", "6,3", lambda r: q(r, "sqlite_bench", "quillmere"))
    add("dossier facet counts, all articles p50 (ms)", "#2ca02c", "2,3", lambda r: q(r, "bench", "--facets -n 0"))
    add("SQLite facet counts, all articles p50 (ms)", "#ff7f0e", "2,3", lambda r: q(r, "sqlite_bench", "--facets -n 0"))
    add("ripgrep rg -l rare term (ms)", "#7f7f7f", "", lambda r: q(r, "rg", "quillmere", "l_p50_ms"))
    if not series:
        return
    W, H, L, R, T, B = 860, 520, 70, 330, 40, 50
    xs = [p[0] for s in series for p in s[3]]
    ys = [p[1] for s in series for p in s[3]]
    x0, x1 = math.log10(min(xs)) - 0.1, math.log10(max(xs)) + 0.1
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    if x1 - x0 < 0.5:
        x0, x1 = x0 - 0.5, x1 + 0.5
    if y1 == y0:
        y1 += 1

    def X(v):
        return L + (math.log10(v) - x0) / (x1 - x0) * (W - L - R)

    def Y(v):
        return H - B - (math.log10(v) - y0) / (y1 - y0) * (H - T - B)

    e = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{L}" y="22" font-size="15">Cost against corpus size (log-log; lower is better)</text>']
    for k in range(y0, y1 + 1):
        y = Y(10 ** k)
        e.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
        e.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** k:g}</text>')
    for n in sizes:
        x = X(n)
        e.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#eee"/>')
        e.append(f'<text x="{x:.1f}" y="{H - B + 18}" text-anchor="middle">{n:,}</text>')
    e.append(f'<text x="{(L + W - R) / 2}" y="{H - 10}" text-anchor="middle">articles</text>')
    e.append(f'<text x="16" y="{(T + H - B) / 2}" transform="rotate(-90 16 {(T + H - B) / 2})" text-anchor="middle">seconds (builds) / milliseconds (queries)</text>')
    e.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="#444"/>')
    for i, (name, colour, dash, pts) in enumerate(series):
        d = " ".join(f"{X(n):.1f},{Y(v):.1f}" for n, v in pts)
        e.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        for n, v in pts:
            e.append(f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="3" fill="{colour}"><title>{name}: {v:.3g} at {n:,}</title></circle>')
        ly = T + 10 + i * 20
        e.append(f'<line x1="{W - R + 15}" y1="{ly}" x2="{W - R + 45}" y2="{ly}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        e.append(f'<text x="{W - R + 50}" y="{ly + 4}">{name}</text>')
    e.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(e) + "\n")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "timev":
        timev(args[0])
    elif cmd == "sqlite-build":
        sqlite_build(args[0], args[1])
    elif cmd == "sqlite-bench":
        sqlite_bench(args[0], args[1], int(args[2]))
    elif cmd == "rg-bench":
        rg_bench(args[0], args[1], int(args[2]))
    elif cmd == "report":
        report(args[0], args[1] if len(args) > 1 else None)
    else:
        raise SystemExit(f"compare.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
