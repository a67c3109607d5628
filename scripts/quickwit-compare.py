#!/usr/bin/env python3
"""The benchmark's queries in dossier and in a Quickwit index loaded from
`dossier export --format quickwit` of the same index, side by side.

    python3 scripts/quickwit-compare.py --dossier-index bench-data/i100000 \
        --endpoint http://127.0.0.1:7280 --quickwit-index dossier100k [--repeat 20]

dossier's times are `dossier bench` (in process: count, top 10 with snippets,
facet counts when asked). Quickwit's are its own `elapsed_time_micros` for
the same work (count, top 10 by score with a body snippet, terms
aggregations over every facet field when asked), and the HTTP round trip
from this script. Medians of `--repeat` runs after one warm-up. Quickwit is
not built or started here: run one yourself (README, "Scaling out").
"""

import argparse
import json
import statistics
import subprocess
import tempfile
import time
import urllib.request

FACET_FIELDS = ["actors", "sponsors", "targets", "year", "cves", "techniques", "malware", "format"]

# (dossier bench line, Quickwit query, hits wanted, facet aggregations)
QUERIES = [
    ("quillmere", "quillmere", 10, False),
    ("obsidianfall", "obsidianfall", 10, False),
    ("attack", "attack", 10, False),
    ("attack -n 0", "attack", 0, False),
    ("government networks", "government AND networks", 10, False),
    ("'\"critical infrastructure\"'", '"critical infrastructure"', 10, False),
    ("'\"Fancy Bear\"'", '"Fancy Bear"', 10, False),
    ("intelligence --country UA", "intelligence AND targets:UA", 10, False),
    (
        "networks --since 2020-01-01 --until 2020-12-31",
        "networks AND date:[2020-01-01T00:00:00Z TO 2021-01-01T00:00:00Z}",
        10,
        False,
    ),
    ("--facets -n 0", "*", 0, True),
    ("attack --facets", "attack", 10, True),
]


def quickwit_body(query, hits, facets):
    body = {"query": query, "max_hits": hits}
    if hits:
        body["sort_by"] = "_score"
        body["snippet_fields"] = "body"
    if facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": 1000}} for f in FACET_FIELDS}
    return body


def post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        answer = json.load(response)
    return answer, (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossier", default="target/release/dossier")
    parser.add_argument("--dossier-index", required=True)
    parser.add_argument("--endpoint", default="http://127.0.0.1:7280")
    parser.add_argument("--quickwit-index", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with tempfile.NamedTemporaryFile("w", suffix=".txt") as queries:
        queries.write("\n".join(q[0] for q in QUERIES) + "\n")
        queries.flush()
        bench = subprocess.run(
            [args.dossier, "bench", "--queries", queries.name, "--index", args.dossier_index,
             "--repeat", str(args.repeat), "--json"],
            check=True, capture_output=True, text=True,
        )
    dossier = {q["query"]: q for q in json.loads(bench.stdout)["queries"]}

    url = f"{args.endpoint}/api/v1/{args.quickwit_index}/search"
    print("| query | dossier hits | dossier p50 ms | Quickwit hits | Quickwit p50 ms (server) | Quickwit p50 ms (HTTP) | Quickwit/dossier (server) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for line, query, hits, facets in QUERIES:
        body = quickwit_body(query, hits, facets)
        answer, _ = post(url, body)  # warm-up
        server, wall = [], []
        for _ in range(args.repeat):
            answer, ms = post(url, body)
            server.append(answer["elapsed_time_micros"] / 1000)
            wall.append(ms)
        ours = dossier[line]
        qw = statistics.median(server)
        print(
            f"| `{line}` | {ours['total_hits']:,} | {ours['p50_ms']:.2f} | {answer['num_hits']:,} | "
            f"{qw:.2f} | {statistics.median(wall):.2f} | {qw / max(ours['p50_ms'], 1e-3):.1f}x |"
        )


if __name__ == "__main__":
    main()
