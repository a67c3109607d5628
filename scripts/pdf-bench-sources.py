#!/usr/bin/env python3
"""Writes sources of long, report-like PDFs for scripts/bench-pdf.sh, in the
markup of scripts/pdf-fixtures.py: a title, a date, headings, paragraphs of
sentences made from templates, a table, and every third report with a
two-column section. Seeded: the same arguments give the same files.

Usage: python3 scripts/pdf-bench-sources.py OUT_DIR REPORTS PAGES [SEED]
"""

import random
import sys
from pathlib import Path

ACTORS = ["APT29", "APT28", "Sandworm", "APT31", "Kimsuky", "Lazarus Group", "Turla",
          "APT41", "Volt Typhoon", "MuddyWater", "OceanLotus", "Gamaredon", "APT10"]
COUNTRIES = ["Germany", "Poland", "Ukraine", "Finland", "South Korea", "Japan", "Taiwan",
             "the United Kingdom", "France", "Lithuania", "India", "Vietnam", "Israel"]
SECTORS = ["foreign ministries", "energy utilities", "defence contractors", "think tanks",
           "telecommunications operators", "universities", "election bodies", "hospitals",
           "water utilities", "news organisations", "law firms", "satellite operators"]
MALWARE = ["Cobalt Strike", "PlugX", "ShadowPad", "WINELOADER", "BabyShark", "Snake",
           "CADDYWIPER", "KEYPLUG", "Mimikatz", "QuasarRAT"]
TECHNIQUES = ["T1566.001", "T1574.002", "T1003.001", "T1059.001", "T1071.001",
              "T1190", "T1027", "T1090.001", "T1021.001", "T1486"]
VERBS = ["targeted", "compromised", "phished", "breached", "surveilled", "infiltrated"]
OPENERS = [
    "In the weeks that followed, ",
    "According to our telemetry, ",
    "During the investigation, ",
    "As in earlier campaigns, ",
    "On several occasions, ",
    "",
]
SENTENCES = [
    "{actor} {verb} {sector} in {country} using spear-phishing messages that imitated "
    "invitations from partner organisations.",
    "the operators deployed {malware} on hosts that stored diplomatic correspondence, "
    "a technique catalogued as {technique}.",
    "defenders in {country} observed connections to infrastructure that overlaps with "
    "earlier {actor} operations against {sector}.",
    "the implant used legitimate cloud services for command and control, which made its "
    "traffic difficult to distinguish from ordinary use.",
    "we assess with moderate confidence that the intrusion served intelligence collection "
    "rather than financial gain.",
    "credentials stolen from {sector} were reused to reach mail servers, where the "
    "operators searched for documents about sanctions and procurement.",
    "the exploitation of CVE-{year}-{number} on an internet-facing appliance gave the "
    "operators their first foothold.",
    "{malware} was loaded by side-loading a signed executable, and its configuration was "
    "encrypted with a key derived from the host name.",
]


def sentence(rng):
    template = rng.choice(SENTENCES)
    text = template.format(
        actor=rng.choice(ACTORS), verb=rng.choice(VERBS), sector=rng.choice(SECTORS),
        country=rng.choice(COUNTRIES), malware=rng.choice(MALWARE),
        technique=rng.choice(TECHNIQUES), year=rng.randint(2017, 2024),
        number=rng.randint(1000, 49999),
    )
    opener = rng.choice(OPENERS)
    text = opener + text if opener else text[0].upper() + text[1:]
    return text[0].upper() + text[1:]


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))


def report(rng, number, pages):
    actor = rng.choice(ACTORS)
    sector = rng.choice(SECTORS)
    year = rng.randint(2015, 2024)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    title = f"{actor} operations against {sector}: report {number}"
    lines = [
        f"file: bench-{number:03d}",
        f"meta-title: {title}",
        f"created: {year}-{month:02d}-{day:02d}T09:00:00",
        "===",
        f"= {title}",
        "",
        f"> Threat research report {number}. {year}-{month:02d}-{day:02d}.",
        "",
    ]
    # About six paragraphs and a heading fill an A4 page of 11 pt text.
    for section in range(pages * 2):
        lines += [f"## Section {section + 1}: findings on {rng.choice(COUNTRIES)}", ""]
        columns = number % 3 == 0 and section % 4 == 1
        if columns:
            lines += ["[columns]", ""]
        for _ in range(3):
            lines += [paragraph(rng), ""]
        if columns:
            lines += ["[/columns]", ""]
        if section == 1:
            lines += ["| Indicator | Value |"]
            for _ in range(5):
                lines += [f"| SHA-256 | {rng.getrandbits(256):064x} |"]
            lines += [""]
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    reports, pages = int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 42)
    out.mkdir(parents=True, exist_ok=True)
    for number in range(reports):
        (out / f"bench-{number:03d}.txt").write_text(report(rng, number, pages), encoding="utf-8")


if __name__ == "__main__":
    main()
