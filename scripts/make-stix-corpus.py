#!/usr/bin/env python3
"""Writes the STIX sample data with the OASIS `stix2` library, so that the
bundles are what a real STIX producer writes:

  corpus/stix-espionage-reports.json
      a STIX 2.1 bundle of 5 reports with intrusion sets (and aliases), a
      threat actor, locations, malware, a tool, vulnerabilities, attack
      patterns and `targets`, `originates-from`, `attributed-to` and
      `located-at` relationships;
  tests/fixtures/formats/stix/stix20-bundle.json
      a STIX 2.0 bundle of one report, for the reader's handling of 2.0.

Ids are derived from names and timestamps are fixed, so running it
again writes the same bytes. All text is written for dossier: fictional
reporting about real, publicly named groups.

Usage: pip install stix2 && python3 scripts/make-stix-corpus.py
"""

import json
import os
import uuid

import stix2
import stix2.v20

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE = uuid.UUID("5e0b7f1c-3f0a-4d55-9a53-d055ea1e0001")
CREATED = "2024-01-15T08:00:00.000Z"


def sid(kind, name):
    """A stable STIX id for an object of `kind` called `name`: a name-based
    UUID marked as version 4, the version STIX 2.0 requires."""
    named = uuid.uuid5(NAMESPACE, kind + ":" + name)
    return f"{kind}--{uuid.UUID(bytes=named.bytes, version=4)}"


def common(kind, name, created=CREATED):
    return {"id": sid(kind, name), "created": created, "modified": created}


def objects_21():
    author = stix2.Identity(
        **common("identity", "Dossier Sample Intelligence"),
        name="Dossier Sample Intelligence",
        identity_class="organization",
    )

    def location(name, code):
        return stix2.Location(
            **common("location", name), name=name, country=code, created_by_ref=author.id
        )

    def intrusion_set(name, aliases, description):
        return stix2.IntrusionSet(
            **common("intrusion-set", name),
            name=name,
            aliases=aliases,
            description=description,
            created_by_ref=author.id,
        )

    def malware(name, aliases=None):
        extra = {"aliases": aliases} if aliases else {}
        return stix2.Malware(
            **common("malware", name), name=name, is_family=True, created_by_ref=author.id, **extra
        )

    def vulnerability(cve):
        return stix2.Vulnerability(
            **common("vulnerability", cve),
            name=cve,
            external_references=[{"source_name": "cve", "external_id": cve}],
            created_by_ref=author.id,
        )

    def attack_pattern(name, technique):
        return stix2.AttackPattern(
            **common("attack-pattern", technique),
            name=name,
            external_references=[
                {
                    "source_name": "mitre-attack",
                    "external_id": technique,
                    "url": "https://attack.mitre.org/techniques/" + technique.replace(".", "/"),
                }
            ],
            created_by_ref=author.id,
        )

    def relationship(source, kind, target):
        return stix2.Relationship(
            **common("relationship", f"{source.id} {kind} {target.id}"),
            source_ref=source.id,
            relationship_type=kind,
            target_ref=target.id,
            created_by_ref=author.id,
        )

    russia = location("Russia", "RU")
    china = location("China", "CN")
    north_korea = location("North Korea", "KP")
    germany = location("Germany", "DE")
    poland = location("Poland", "PL")
    ukraine = location("Ukraine", "UA")
    britain = location("United Kingdom", "GB")
    finland = location("Finland", "FI")
    south_korea = location("South Korea", "KR")
    taiwan = location("Taiwan", "TW")
    philippines = location("Philippines", "PH")

    apt29 = intrusion_set(
        "APT29",
        ["Cozy Bear", "NOBELIUM", "The Dukes", "Midnight Blizzard"],
        "Espionage group tasked with collecting foreign-policy intelligence.",
    )
    sandworm = intrusion_set(
        "Sandworm Team",
        ["Voodoo Bear", "IRIDIUM", "Seashell Blizzard"],
        "Destructive operations against energy and government networks.",
    )
    gru = stix2.ThreatActor(
        **common("threat-actor", "GRU Unit 74455"),
        name="GRU Unit 74455",
        threat_actor_types=["nation-state"],
        aliases=["Main Centre for Special Technologies"],
        created_by_ref=author.id,
    )
    apt31 = intrusion_set(
        "APT31",
        ["Zirconium", "Judgment Panda", "Violet Typhoon"],
        "Espionage against parliaments and political figures.",
    )
    kimsuky = intrusion_set(
        "Kimsuky",
        ["Velvet Chollima", "Thallium", "Emerald Sleet"],
        "Intelligence collection on Korean peninsula policy.",
    )
    lantern = intrusion_set(
        "Harbor Lantern",
        ["UNC9981"],
        "A cluster of edge-device exploitation not yet linked to a known group.",
    )

    wellmess = malware("WellMess")
    industroyer = malware("Industroyer2")
    babyshark = malware("BabyShark")
    shadowpad = malware("ShadowPad", ["POISONPLUG"])
    cobalt = stix2.Tool(
        **common("tool", "Cobalt Strike"), name="Cobalt Strike", created_by_ref=author.id
    )

    outlook = vulnerability("CVE-2023-23397")
    exchange = vulnerability("CVE-2021-26855")
    panos = vulnerability("CVE-2024-3400")
    winrar = vulnerability("CVE-2023-38831")

    attachment = attack_pattern("Spearphishing Attachment", "T1566.001")
    link = attack_pattern("Spearphishing Link", "T1566.002")
    public_app = attack_pattern("Exploit Public-Facing Application", "T1190")
    destruction = attack_pattern("Data Destruction", "T1485")

    reports = [
        (
            "Diplomatic lure campaign delivers WellMess to European ministries",
            "2024-02-06T09:30:00Z",
            "https://intel.example.org/reports/2024-02-apt29-diplomatic-lures",
            "Dossier Sample Intelligence observed a spearphishing campaign between "
            "November 2023 and January 2024 that sent invitations to a fictitious wine-tasting "
            "reception to staff at foreign ministries in Germany and Poland. The attachments "
            "dropped WellMess, and operators later moved laterally with Cobalt Strike beacons. "
            "One ministry was also exposed through an unpatched Outlook flaw, CVE-2023-23397, "
            "which leaked NTLM hashes to servers under the operators' control.\n\n"
            "We attribute the activity to APT29, also tracked as Cozy Bear, with high confidence "
            "based on infrastructure overlaps and the reuse of a loader seen in earlier diplomatic "
            "intrusions. The lures were written in fluent German and referenced a real reception.",
            [apt29, wellmess, cobalt, outlook, attachment, germany, poland, russia],
            [
                relationship(apt29, "targets", germany),
                relationship(apt29, "targets", poland),
                relationship(apt29, "originates-from", russia),
                relationship(apt29, "uses", wellmess),
            ],
        ),
        (
            "Wiper and grid-control payload staged against Ukrainian distribution operator",
            "2023-11-21T14:00:00Z",
            "https://intel.example.org/reports/2023-11-sandworm-grid",
            "A regional electricity distribution operator in Ukraine found Industroyer2 staged on "
            "an engineering workstation two days before a planned switching operation. The same "
            "intrusion deployed a wiper to erase historian servers, a data destruction step meant "
            "to slow the recovery. The operator isolated the substations and no outage followed.\n\n"
            "The tooling and the targeting match Sandworm Team, known to Microsoft as Seashell "
            "Blizzard, which public attributions place within GRU Unit 74455.",
            [sandworm, gru, industroyer, destruction, ukraine],
            [
                relationship(sandworm, "targets", ukraine),
                relationship(sandworm, "attributed-to", gru),
                relationship(gru, "located-at", russia),
            ],
        ),
        (
            "Parliamentary email accounts probed through Exchange servers",
            "2024-03-26T07:45:00Z",
            "https://intel.example.org/reports/2024-03-apt31-parliaments",
            "Tracking pixels embedded in emails to members of parliament in the United Kingdom "
            "and Finland preceded exploitation attempts against internet-facing Exchange servers "
            "still exposed to CVE-2021-26855. In Finland the operators reached a mailbox server "
            "of the parliament's IT service before being evicted.\n\n"
            "The infrastructure, the tracking technique and the victims are those of APT31, "
            "which Microsoft calls Zirconium and, more recently, Violet Typhoon.",
            [apt31, exchange, public_app, britain, finland, china],
            [
                relationship(apt31, "targets", britain),
                relationship(apt31, "targets", finland),
                relationship(apt31, "originates-from", china),
            ],
        ),
        (
            "Think-tank researchers lured with fake interview requests",
            "2024-05-14T02:10:00Z",
            "https://intel.example.org/reports/2024-05-kimsuky-interviews",
            "Researchers at three South Korean think tanks received emails posing as a broadcaster "
            "asking for comments on sanctions policy. A link led to a credential-harvesting page, "
            "and a follow-up message carried a macro document that installed BabyShark.\n\n"
            "The lures, the reuse of a known BabyShark configuration and the choice of victims "
            "point to Kimsuky, also called Velvet Chollima.",
            [kimsuky, babyshark, link, winrar, south_korea, north_korea],
            [
                relationship(kimsuky, "targets", south_korea),
                relationship(kimsuky, "originates-from", north_korea),
            ],
        ),
        (
            "Edge firewalls exploited to reach shipping and telecom networks",
            "2024-06-03T11:20:00Z",
            "https://intel.example.org/reports/2024-06-harbor-lantern",
            "Since April 2024 an intrusion set we call Harbor Lantern has exploited CVE-2024-3400 "
            "in firewalls at shipping companies and telecommunications providers in Taiwan and the "
            "Philippines. After exploitation it deployed ShadowPad and harvested VPN credentials.\n\n"
            "ShadowPad is shared among several groups, and we have not linked Harbor Lantern to a "
            "publicly named actor.",
            [lantern, shadowpad, panos, public_app, taiwan, philippines],
            [
                relationship(lantern, "targets", taiwan),
                relationship(lantern, "targets", philippines),
            ],
        ),
    ]

    objects = [author]
    seen = {author.id}

    def add(obj):
        if obj.id not in seen:
            seen.add(obj.id)
            objects.append(obj)

    for name, published, url, description, refs, relationships in reports:
        for obj in refs + relationships:
            add(obj)
        add(russia)  # the GRU's location, referred to by a relationship only
        report = stix2.Report(
            **common("report", name, created=published.replace("Z", ".000Z")),
            name=name,
            published=published,
            description=description,
            report_types=["threat-report"],
            object_refs=[obj.id for obj in refs + relationships],
            external_references=[{"source_name": "Dossier Sample Intelligence", "url": url}],
            created_by_ref=author.id,
        )
        objects.append(report)
    return objects


def bundle_20():
    """One STIX 2.0 report: APT28 against an election commission."""
    author = stix2.v20.Identity(
        **common("identity", "Dossier Sample CERT"),
        name="Dossier Sample CERT",
        identity_class="organization",
    )
    apt28 = stix2.v20.IntrusionSet(
        **common("intrusion-set", "APT28"),
        name="APT28",
        aliases=["Fancy Bear", "Sofacy"],
    )
    zebrocy = stix2.v20.Malware(
        **common("malware", "Zebrocy"), name="Zebrocy", labels=["backdoor"]
    )
    report = stix2.v20.Report(
        **common("report", "Election commission phishing", created="2019-02-20T10:00:00.000Z"),
        name="Phishing against an election commission delivers Zebrocy",
        published="2019-02-20T10:00:00Z",
        labels=["threat-report"],
        description="An election commission received phishing emails carrying Zebrocy "
        "downloaders. The infrastructure matches APT28.",
        object_refs=[apt28.id, zebrocy.id],
        created_by_ref=author.id,
    )
    return stix2.v20.Bundle(
        author, apt28, zebrocy, report, id=sid("bundle", "stix20-fixture"), spec_version="2.0"
    )


def write(relative, bundle):
    path = os.path.join(ROOT, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write(bundle.serialize(pretty=True))
        out.write("\n")
    print(f"wrote {relative}")


def main():
    write(
        "corpus/stix-espionage-reports.json",
        stix2.Bundle(objects_21(), id=sid("bundle", "corpus")),
    )
    write("tests/fixtures/formats/stix/stix20-bundle.json", bundle_20())


if __name__ == "__main__":
    main()
