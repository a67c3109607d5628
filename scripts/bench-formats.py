#!/usr/bin/env python3
"""Throughput of each reader, and of a mixed folder, end to end.

  scripts/bench-formats.py [--docs N] [--pdf-docs N] [--rounds R] [--out DIR]

Builds, from `dossier gen-corpus` articles (deterministic), one corpus per
format under DIR (default bench-data/formats-N):

  text/      the generated files as they are
  markdown/  each article as a note with YAML front matter
  html/      each article inside a page with site chrome (nav, cookie
             banner, sidebar, footer, scripts), saved the way a browser does
  json/      one JSON Lines feed holding every article
  stix/      one STIX 2.1 bundle: a report per article, with an
             intrusion-set and a location object each
  pdf/       --pdf-docs articles, four to a PDF, printed by LibreOffice
  mixed/     all of the above together (symlinks)

then times `dossier index --rebuild --json` on each, R rounds, alternating
formats, and prints medians: MB/s and articles/s (pages/s for PDF), with
PDF and HTML both in worker processes (the default) and --parse-in-process.
Needs the release binary (cargo build --release), and soffice and pdfinfo
for the PDFs (apt-get install libreoffice-writer-nogui poppler-utils).
"""

import argparse
import html
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "dossier")


def articles(folder):
    """(name, date, body) of each generated article, in name order."""
    for dirpath, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                text = f.read().strip()
            assert text.startswith("date "), name
            date, body = text[5:15], text[15:].strip()
            yield os.path.splitext(name)[0], date, body


def title_of(body):
    return body.split(". ")[0][:100]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


CHROME_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | Threat Research Blog</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Threat Research Blog">
<meta property="og:url" content="https://research.example/{name}">
<meta property="article:published_time" content="{date}T08:00:00Z">
<style>body{{font-family:sans-serif}} nav a{{margin:0 1em}}</style>
<script>window.dataLayer=[];function track(){{dataLayer.push(arguments)}}</script>
</head><body>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<header><nav><a href="/">Home</a><a href="/blog">Blog</a><a href="/products">Products</a>
<a href="/contact">Contact sales</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By the research team, {date}</p>
"""
CHROME_TAIL = """</article>
<aside class="related"><h3>Related posts</h3><ul><li><a href="/a">Quarterly trends webinar</a></li>
<li><a href="/b">Subscribe to our newsletter</a></li></ul></aside></main>
<footer><p>Copyright Example Security Ltd. All rights reserved. Privacy policy. Terms of use.</p></footer>
<script>track('pageview')</script></body></html>
"""


def build(out, docs, pdf_docs):
    source = os.path.join(out, "generated")
    if not os.path.isdir(source):
        subprocess.run(
            [BINARY, "gen-corpus", "--docs", str(docs), "--out", source],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    items = list(articles(source))
    shutil.copytree(source, os.path.join(out, "text"), dirs_exist_ok=True)
    for name, date, body in items:
        paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
        title = title_of(body)
        write(
            os.path.join(out, "markdown", name + ".md"),
            f"---\ntitle: \"{title}\"\ndate: {date}\nsource: Analyst notes\ntags: [generated]\n---\n\n"
            f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n",
        )
        page = CHROME_HEAD.format(title=html.escape(title), date=date, name=name)
        page += "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
        write(os.path.join(out, "html", name + ".html"), page + CHROME_TAIL)
    os.makedirs(os.path.join(out, "json"), exist_ok=True)
    with open(os.path.join(out, "json", "feed.jsonl"), "w", encoding="utf-8") as feed:
        for name, date, body in items:
            feed.write(
                json.dumps(
                    {"id": name, "title": title_of(body), "published": date, "text": body}
                )
                + "\n"
            )
    objects = []
    for n, (name, date, body) in enumerate(items):
        actor = f"intrusion-set--00000000-0000-4000-8000-{n:012d}"
        location = f"location--00000000-0000-4000-9000-{n:012d}"
        objects += [
            {
                "type": "report",
                "spec_version": "2.1",
                "id": f"report--00000000-0000-4000-a000-{n:012d}",
                "created": f"{date}T00:00:00.000Z",
                "modified": f"{date}T00:00:00.000Z",
                "name": title_of(body),
                "published": f"{date}T00:00:00Z",
                "description": body,
                "object_refs": [actor, location],
            },
            {
                "type": "intrusion-set",
                "spec_version": "2.1",
                "id": actor,
                "created": f"{date}T00:00:00.000Z",
                "modified": f"{date}T00:00:00.000Z",
                "name": "APT29",
                "aliases": ["Cozy Bear"],
            },
            {
                "type": "location",
                "spec_version": "2.1",
                "id": location,
                "created": f"{date}T00:00:00.000Z",
                "modified": f"{date}T00:00:00.000Z",
                "country": "NO",
            },
        ]
    write(
        os.path.join(out, "stix", "bundle.json"),
        json.dumps(
            {"type": "bundle", "id": "bundle--00000000-0000-4000-b000-000000000000", "objects": objects}
        ),
    )
    pdf_dir = os.path.join(out, "pdf")
    if pdf_docs > 0 and not os.path.isdir(pdf_dir) and shutil.which("soffice"):
        staging = os.path.join(out, "pdf-src")
        os.makedirs(staging, exist_ok=True)
        chosen = items[:pdf_docs]
        for start in range(0, len(chosen), 4):
            group = chosen[start : start + 4]
            body = "".join(
                f"<h1>{html.escape(title_of(b))}</h1><p>{d}</p>"
                + "".join(f"<p>{html.escape(p)}</p>" for p in b.split("\n") if p.strip())
                for _, d, b in group
            )
            write(os.path.join(staging, f"report{start // 4:04d}.html"), f"<html><body>{body}</body></html>")
        sources = sorted(os.path.join(staging, f) for f in os.listdir(staging))
        os.makedirs(pdf_dir, exist_ok=True)
        for at in range(0, len(sources), 50):
            subprocess.run(
                ["soffice", "--headless", "--convert-to", "pdf:writer_pdf_Export", "--outdir", pdf_dir]
                + sources[at : at + 50],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    mixed = os.path.join(out, "mixed")
    if not os.path.isdir(mixed):
        os.makedirs(mixed)
        for fmt in ("text", "markdown", "html", "json", "stix", "pdf"):
            if os.path.isdir(os.path.join(out, fmt)):
                os.symlink(os.path.join("..", fmt), os.path.join(mixed, fmt))


def pages(folder):
    total = 0
    for name in os.listdir(folder):
        if name.endswith(".pdf"):
            info = subprocess.run(["pdfinfo", os.path.join(folder, name)], capture_output=True, text=True).stdout
            total += next((int(l.split()[1]) for l in info.splitlines() if l.startswith("Pages:")), 0)
    return total


def size(folder):
    return sum(
        os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(folder, followlinks=True) for f in files
    )


def index(folder, scratch, extra):
    shutil.rmtree(scratch, ignore_errors=True)
    started = time.perf_counter()
    run = subprocess.run(
        [BINARY, "index", folder, "--index", scratch, "--json", "--quiet", "--progress", "none"] + extra,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"dossier index {folder} failed: {run.stderr}")
    summary = json.loads(run.stdout)
    return elapsed, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--pdf-docs", type=int, default=200, help="0: no PDF corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out")
    args = parser.parse_args()
    out = os.path.abspath(args.out or os.path.join(ROOT, "bench-data", f"formats-{args.docs}"))
    if not os.path.exists(BINARY):
        sys.exit("build the release binary first: cargo build --release")
    build(out, args.docs, args.pdf_docs)
    runs = [(fmt, []) for fmt in ("text", "markdown", "html", "json", "stix", "pdf", "mixed")]
    runs += [("html", ["--parse-in-process"]), ("pdf", ["--parse-in-process"])]
    runs = [(fmt, extra) for fmt, extra in runs if os.path.isdir(os.path.join(out, fmt))]
    times = {(fmt, tuple(extra)): [] for fmt, extra in runs}
    summaries = {}
    for _ in range(args.rounds):
        for fmt, extra in runs:
            elapsed, summary = index(os.path.join(out, fmt), os.path.join(out, "index-scratch"), extra)
            times[(fmt, tuple(extra))].append(elapsed)
            summaries[(fmt, tuple(extra))] = summary
    print(f"{args.docs} generated articles; {args.rounds} rounds, medians; {os.cpu_count()} cores\n")
    print("| corpus | how | files MB | articles | skipped | seconds | MB/s | articles/s | pages/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for fmt, extra in runs:
        folder = os.path.join(out, fmt)
        seconds = statistics.median(times[(fmt, tuple(extra))])
        summary = summaries[(fmt, tuple(extra))]
        mb = size(folder) / 1e6
        written = summary["added"] + summary["updated"]
        page_rate = f"{pages(folder) / seconds:.1f}" if fmt == "pdf" else ""
        how = "in process" if extra else ("workers" if fmt in ("html", "pdf", "mixed") else "")
        print(
            f"| {fmt} | {how} | {mb:.1f} | {written} | {len(summary['skipped'])} | {seconds:.2f} | "
            f"{mb / seconds:.1f} | {written / seconds:.0f} | {page_rate} |"
        )


if __name__ == "__main__":
    main()
