//! PDF through the real binary: the text layer is indexed, the title and
//! date come from the document information or from page 1, a two-column
//! page is read column by column, and bad PDFs are skipped with their
//! reason while the rest is indexed.
//!
//! The PDFs are made by LibreOffice from sources in
//! `tests/fixtures/formats/pdf/src/` (`scripts/pdf-fixtures.py`).

use crate::common;

use std::fs;

use common::{only_hit, repo_file, set, TestEnv};

fn fixture(name: &str) -> Vec<u8> {
    fs::read(repo_file(&format!("tests/fixtures/formats/pdf/{name}"))).expect("fixture")
}

fn bundled(name: &str) -> Vec<u8> {
    fs::read(repo_file(&format!("corpus/{name}"))).expect("bundled PDF")
}

#[test]
fn a_word_only_the_pdf_body_holds_is_found_with_its_title_date_and_facets() {
    let env = TestEnv::new();
    env.raw("notes/case-note.pdf", &fixture("fixture-base.pdf"));
    env.article("other.txt", "2020-01-01", "A text article about APT28.");
    env.index_corpus();

    let hit = only_hit(&env, &["quillwort"]);
    assert_eq!(hit["id"], "notes/case-note.pdf");
    assert_eq!(
        hit["title"],
        "Turla's Snake implant in a defence ministry: a short case note"
    );
    assert_eq!(hit["date"], "2023-05-09");
    assert_eq!(hit["format"], "pdf");
    assert!(set(&hit["actors"]).contains("Turla"), "{hit:#}");
    assert!(
        hit["snippet"].as_str().unwrap_or("").contains("quillwort"),
        "{hit:#}"
    );
    // Words of the PDF's structure are not text.
    for structure in ["endobj", "FlateDecode", "MediaBox"] {
        assert!(env.ids(&[structure]).is_empty(), "{structure} was indexed");
    }
    assert_eq!(
        env.ids(&["--filetype", "pdf", "APT28"]),
        Vec::<String>::new()
    );
}

#[test]
fn titles_and_dates_come_from_the_information_or_from_page_one() {
    let env = TestEnv::new();
    for name in [
        "2024-apt29-glacier-lantern.pdf",
        "2022-kimsuky-think-tanks.pdf",
        "2023-apt31-parliament-brief.pdf",
    ] {
        env.raw(name, &bundled(name));
    }
    let stderr = env.index_corpus();

    // The information's Title and CreationDate.
    let apt29 = only_hit(&env, &["LANTERNFISH"]);
    assert_eq!(
        apt29["title"],
        "Glacier Lantern: APT29 phishing against European foreign ministries"
    );
    assert_eq!(apt29["date"], "2024-04-09");
    assert!(set(&apt29["cves"]).contains("CVE-2023-38831"), "{apt29:#}");

    // "Microsoft Word - kimsuky_final_v3.docx" is no title: page 1's
    // large first line is, wrapped over two lines.
    let kimsuky = only_hit(&env, &["BabyShark"]);
    assert_eq!(
        kimsuky["title"],
        "Kimsuky impersonates journalists to reach South Korean think tanks"
    );
    assert_eq!(kimsuky["date"], "2022-09-14");

    // Neither Title nor CreationDate: the large line, and the date by the
    // byline, with a warning that it was guessed.
    let apt31 = only_hit(&env, &["Zirconium"]);
    assert_eq!(
        apt31["title"],
        "APT31 reconnaissance against members of parliament"
    );
    assert_eq!(apt31["date"], "2023-03-14");
    assert!(
        stderr.contains("2023-apt31-parliament-brief.pdf: warning: no usable creation date")
            && stderr.contains("guessed from the top of page 1"),
        "{stderr}"
    );
    assert!(!stderr.contains("glacier-lantern.pdf: warning"), "{stderr}");
}

#[test]
fn a_two_column_page_is_read_column_by_column() {
    let env = TestEnv::new();
    env.raw("bulletin.pdf", &bundled("2023-sandworm-grid-bulletin.pdf"));
    env.index_corpus();
    let found = |phrase: &str| env.ids(&[&format!("\"{phrase}\"")]) == ["bulletin.pdf"];

    // A sentence of column one that runs over several of its lines: no line
    // of column two came between them.
    assert!(found(
        "For four months they studied the substation automation environment without \
         touching it, copying network diagrams and the configuration of the supervisory \
         control and data acquisition servers"
    ));
    // Column one ends mid-sentence and its last line is followed by the
    // rest of that sentence, at the top of column two: column one came
    // first, whole.
    assert!(found(
        "the timing with missile strikes on the energy sector"
    ));
    // A column-two sentence over several lines, with a word hyphenated at a
    // line's end joined again.
    assert!(found(
        "offline backups of the SCADA configuration allowed the company to restore service"
    ));
    // Column one's line followed by column two's line is what an
    // interleaving reader would produce.
    assert!(!found("copying network diagrams the company's monitoring"));
    assert!(!found("The intrusion strikes on the energy sector"));
}

#[test]
fn bad_pdfs_are_skipped_with_their_reason_and_the_rest_indexed() {
    let env = TestEnv::new();
    env.raw("good.pdf", &fixture("fixture-base.pdf"));
    env.raw(
        "permissions-only.pdf",
        &fixture("encrypted-permissions-only.pdf"),
    );
    for name in [
        "truncated.pdf",
        "garbage-after-header.pdf",
        "encrypted.pdf",
        "image-only.pdf",
        "text-named-pdf.pdf",
        "deep-nesting.pdf",
    ] {
        env.raw(&format!("bad/{name}"), &fixture(name));
    }
    env.raw("bad/empty.pdf", b"");
    let summary = env.index_json();

    assert_eq!(summary["added"], 2, "{summary:#}");
    let reason_of = |name: &str| -> String {
        summary["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .find(|s| s["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .and_then(|s| s["reason"].as_str())
            .unwrap_or_else(|| panic!("{name} was not skipped: {summary:#}"))
            .to_string()
    };
    let expect = |name: &str, fragment: &str| {
        let reason = reason_of(name);
        assert!(reason.contains(fragment), "{name}: {reason}");
    };
    expect("truncated.pdf", "unreadable PDF");
    expect("garbage-after-header.pdf", "unreadable PDF");
    expect(
        "bad/encrypted.pdf",
        "encrypted PDF: cannot be opened without its password",
    );
    expect(
        "image-only.pdf",
        "no text layer (a scanned PDF?); dossier does not do OCR",
    );
    expect("text-named-pdf.pdf", "the file holds text");
    expect("deep-nesting.pdf", "nested");
    expect("empty.pdf", "empty file");
    assert_eq!(summary["skipped"].as_array().map(Vec::len), Some(7));

    // Encrypted only to restrict copying: opened with the empty password.
    assert_eq!(env.ids(&["quillwort"]).len(), 2);
    // The text file named .pdf is not indexed as text either.
    assert!(env.ids(&["Snake implant", "--filetype", "text"]).is_empty());
}
