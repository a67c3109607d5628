#!/usr/bin/env python3
"""Builds dossier's PDFs from their sources, so they can be made again.

Sources are in tests/fixtures/formats/pdf/src/*.txt, a light markup written
for this script (below). Each becomes a flat ODF text (.fodt) that
LibreOffice turns into a PDF, written to corpus/ (the bundled corpus) or,
for a source whose header says `to: fixtures`, to tests/fixtures/formats/pdf/.
The bad PDFs of tests/fixtures/formats/pdf/ (truncated, garbage after the
header, encrypted, image-only, a text file named .pdf, deep nesting) are
made from those.

Needs: soffice (apt libreoffice-writer-nogui), hyphen-en-us, qpdf, img2pdf,
and pdftoppm and pdfinfo (poppler-utils).

Usage: python3 scripts/pdf-fixtures.py [--only NAME] [--out DIR]
       python3 scripts/pdf-fixtures.py --sources DIR --dest DIR   (other sources,
       e.g. scripts/bench-pdf.sh's, all built into DEST; no bad fixtures)

Source header (until a line `===`), each line optional:
  file: 2024-apt29-glacier-lantern       the PDF's name, without .pdf
  to: corpus | fixtures                  where it goes (corpus by default)
  meta-title: ...                        the document information's Title
  created: 2024-04-09T08:30:00           its CreationDate; `none` leaves none
Body, one block a paragraph (lines joined until a blank line):
  = Title line             large and bold
  ## Heading               ### Subheading
  - item                   a bulleted paragraph
  [columns] ... [/columns] a two-column section
  [pagebreak]              the next block starts a page
  | a | b |                table rows (consecutive lines)
"""

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tests/fixtures/formats/pdf/src"
FIXTURES = ROOT / "tests/fixtures/formats/pdf"
CORPUS = ROOT / "corpus"

FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta>{meta}</office:meta>
 <office:font-face-decls>
  <style:font-face style:name="Liberation Serif" svg:font-family="'Liberation Serif'" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/>
  <style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/>
 </office:font-face-decls>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:paragraph-properties fo:hyphenation-ladder-count="no-limit"/>
   <style:text-properties style:font-name="Liberation Serif" fo:font-size="11pt"
    fo:language="en" fo:country="US" fo:hyphenate="true"
    fo:hyphenation-remain-char-count="3" fo:hyphenation-push-char-count="3"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph">
   <style:paragraph-properties fo:margin-bottom="0.2cm" fo:text-align="justify"/>
  </style:style>
  <style:style style:name="Title" style:family="paragraph">
   <style:paragraph-properties fo:margin-bottom="0.4cm"/>
   <style:text-properties style:font-name="Liberation Sans" fo:font-size="20pt" fo:font-weight="bold" fo:hyphenate="false"/>
  </style:style>
  <style:style style:name="Subtitle" style:family="paragraph">
   <style:paragraph-properties fo:margin-bottom="0.4cm"/>
   <style:text-properties style:font-name="Liberation Sans" fo:font-size="12pt" fo:font-style="italic" fo:hyphenate="false"/>
  </style:style>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:default-outline-level="1">
   <style:paragraph-properties fo:margin-top="0.4cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always"/>
   <style:text-properties style:font-name="Liberation Sans" fo:font-size="15pt" fo:font-weight="bold" fo:hyphenate="false"/>
  </style:style>
  <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:default-outline-level="2">
   <style:paragraph-properties fo:margin-top="0.3cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always"/>
   <style:text-properties style:font-name="Liberation Sans" fo:font-size="12.5pt" fo:font-weight="bold" fo:hyphenate="false"/>
  </style:style>
  <style:style style:name="Bullet" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:margin-left="0.6cm" fo:text-indent="-0.4cm" fo:text-align="start"/>
  </style:style>
  <style:style style:name="Cell" style:family="paragraph">
   <style:text-properties style:font-name="Liberation Sans" fo:font-size="9.5pt" fo:hyphenate="false"/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="Page">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"
    fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2.2cm" fo:margin-right="2.2cm"/>
  </style:page-layout>
  <style:style style:name="Columns" style:family="section">
   <style:section-properties>
    <style:columns fo:column-count="2" fo:column-gap="0.8cm"/>
   </style:section-properties>
  </style:style>
  <style:style style:name="Break" style:family="paragraph" style:parent-style-name="Heading_20_1">
   <style:paragraph-properties fo:break-before="page"/>
  </style:style>
  <style:style style:name="BreakPlain" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:break-before="page"/>
  </style:style>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="Page"/>
 </office:master-styles>
 <office:body><office:text>
"""

FODT_TAIL = """ </office:text></office:body>
</office:document>
"""


def parse_source(path):
    """The header fields and the body's blocks of a source file."""
    text = path.read_text(encoding="utf-8")
    header_text, sep, body = text.partition("\n===\n")
    if not sep:
        sys.exit(f"{path}: no `===` line after the header")
    header = {}
    for line in header_text.splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
    blocks = []
    current = []
    for line in body.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        marker = line.strip()
        if marker in ("[columns]", "[/columns]", "[pagebreak]"):
            if current:
                blocks.append(current)
                current = []
            blocks.append([marker])
            continue
        current.append(line.rstrip())
    if current:
        blocks.append(current)
    return header, blocks


def inline(text):
    return html.escape(text, quote=False)


def block_xml(lines, page_break):
    first = lines[0]
    if first.startswith("|"):
        rows = [[c.strip() for c in l.strip().strip("|").split("|")] for l in lines]
        width = max(len(r) for r in rows)
        out = ['<table:table table:name="T">']
        out.append(f'<table:table-column table:number-columns-repeated="{width}"/>')
        for row in rows:
            out.append("<table:table-row>")
            for cell in row + [""] * (width - len(row)):
                out.append(
                    '<table:table-cell office:value-type="string" '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
                    f'<text:p text:style-name="Cell">{inline(cell)}</text:p></table:table-cell>'
                )
            out.append("</table:table-row>")
        out.append("</table:table>")
        return "\n".join(out)
    joined = " ".join(l.strip() for l in lines)
    if first.startswith("= "):
        return f'<text:p text:style-name="Title">{inline(joined[2:])}</text:p>'
    if first.startswith("> "):
        return f'<text:p text:style-name="Subtitle">{inline(joined[2:])}</text:p>'
    if first.startswith("### "):
        return f'<text:h text:style-name="Heading_20_2" text:outline-level="2">{inline(joined[4:])}</text:h>'
    if first.startswith("## "):
        style = "Break" if page_break else "Heading_20_1"
        return f'<text:h text:style-name="{style}" text:outline-level="1">{inline(joined[3:])}</text:h>'
    if first.startswith("- "):
        return f'<text:p text:style-name="Bullet">\u2022\u00a0\u00a0{inline(joined[2:])}</text:p>'
    style = "BreakPlain" if page_break else "Standard"
    return f'<text:p text:style-name="{style}">{inline(joined)}</text:p>'


def fodt(header, blocks):
    meta = []
    if "meta-title" in header:
        meta.append(f"<dc:title>{inline(header['meta-title'])}</dc:title>")
    body = []
    page_break = False
    for block in blocks:
        marker = block[0]
        if marker == "[pagebreak]":
            page_break = True
            continue
        if marker == "[columns]":
            body.append('<text:section text:name="Columns" text:style-name="Columns">')
            continue
        if marker == "[/columns]":
            body.append("</text:section>")
            continue
        body.append(block_xml(block, page_break))
        page_break = False
    return FODT_HEAD.format(meta="".join(meta)) + "\n".join(body) + "\n" + FODT_TAIL


def pdf_date(value):
    """`2024-04-09T08:30:00` as a PDF date, `D:20240409083000Z'`, the
    length LibreOffice writes."""
    digits = re.sub(r"\D", "", value)
    if len(digits) != 14:
        sys.exit(f"created: {value!r} is not YYYY-MM-DDTHH:MM:SS")
    return f"D:{digits}Z'".encode()


def set_creation_date(pdf, created):
    """LibreOffice stamps the conversion time; the source's date replaces it
    in place (same length, so the cross-reference offsets stay right)."""
    data = pdf.read_bytes()
    match = re.search(rb"/CreationDate\((D:[^)]*)\)", data)
    if not match:
        sys.exit(f"{pdf}: no /CreationDate to replace")
    old = match.group(1)
    if created == "none":
        new_key = b"/XreationDate"
        data = data[: match.start()] + new_key + data[match.start() + len(new_key):]
    else:
        new = pdf_date(created)
        if len(new) != len(old):
            sys.exit(f"{pdf}: CreationDate {old!r} is not the expected length")
        data = data[: match.start(1)] + new + data[match.end(1):]
    pdf.write_bytes(data)


def convert(fodt_path, out_dir):
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(fodt_path),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def build(source, work, dest=None):
    header, blocks = parse_source(source)
    name = header.get("file", source.stem)
    fodt_path = work / f"{name}.fodt"
    fodt_path.write_text(fodt(header, blocks), encoding="utf-8")
    convert(fodt_path, work)
    built = work / f"{name}.pdf"
    if "created" in header:
        set_creation_date(built, header["created"])
    if dest is None:
        dest = FIXTURES if header.get("to") == "fixtures" else CORPUS
    target = Path(dest) / f"{name}.pdf"
    shutil.copyfile(built, target)
    pages = subprocess.run(
        ["pdfinfo", str(target)], capture_output=True, text=True, check=True
    ).stdout
    count = re.search(r"Pages:\s+(\d+)", pages)
    shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
    print(f"{shown}: {count.group(1) if count else '?'} pages")
    return target


def bad_fixtures(good, work):
    """The PDFs no reader should index, each made from a good one."""
    data = good.read_bytes()
    (FIXTURES / "truncated.pdf").write_bytes(data[: len(data) * 2 // 5])
    garbage = bytes((i * 131 + 17) % 256 for i in range(4096))
    (FIXTURES / "garbage-after-header.pdf").write_bytes(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n" + garbage)
    subprocess.run(
        ["qpdf", "--encrypt", "dossier-user", "dossier-owner", "256", "--",
         str(good), str(FIXTURES / "encrypted.pdf")],
        check=True,
    )
    # Only an owner password (permissions): opens with the empty user one.
    # 128-bit AES (revision 4), whose key is derived with MD5, as older
    # producers write it.
    subprocess.run(
        ["qpdf", "--encrypt", "", "dossier-owner", "128", "--use-aes=y", "--extract=n", "--",
         str(good), str(FIXTURES / "encrypted-permissions-only.pdf")],
        check=True,
    )
    # A scan: the first page rendered to pixels, then wrapped as a PDF.
    subprocess.run(
        ["pdftoppm", "-png", "-gray", "-r", "60", "-singlefile", str(good), str(work / "scan")],
        check=True,
    )
    subprocess.run(
        ["img2pdf", "--output", str(FIXTURES / "image-only.pdf"), str(work / "scan.png")],
        check=True,
    )
    (FIXTURES / "text-named-pdf.pdf").write_text(
        "This is a plain text note that was saved with a .pdf name.\n"
        "It mentions Turla and the Snake implant but it is not a PDF.\n",
        encoding="utf-8",
    )
    depth = 40_000
    nested = b"[" * depth + b"]" * depth
    (FIXTURES / "deep-nesting.pdf").write_bytes(
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Size 3 /Root 1 0 R /Deep " + nested + b" >>\n"
        b"startxref\n0\n%%EOF\n"
    )
    for name in ["truncated", "garbage-after-header", "encrypted",
                 "encrypted-permissions-only", "image-only", "text-named-pdf",
                 "deep-nesting"]:
        print(f"tests/fixtures/formats/pdf/{name}.pdf")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="build only this source (its file stem)")
    parser.add_argument("--out", help="also keep the .fodt files in this folder")
    parser.add_argument("--sources", help="build the sources in this folder instead")
    parser.add_argument("--dest", help="where --sources' PDFs go")
    args = parser.parse_args()
    if bool(args.sources) != bool(args.dest):
        sys.exit("--sources and --dest go together")
    FIXTURES.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="dossier-pdf-"))
    try:
        built = {}
        sources = Path(args.sources) if args.sources else SOURCES
        for source in sorted(sources.glob("*.txt")):
            if args.only and source.stem != args.only:
                continue
            built[source.stem] = build(source, work, args.dest)
        if not args.only and not args.sources:
            bad_fixtures(built["fixture-base"], work)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            for f in work.glob("*.fodt"):
                shutil.copy(f, args.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
