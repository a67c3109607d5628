//! HTML pages (`.html`, `.htm`, `.xhtml`), as a browser saves them: one
//! article a file, the article's main text only. Page furniture (menus,
//! site header and footer, sidebars, cookie banners, scripts) is removed,
//! then `dom_smoothie`, a port of Firefox's Readability, finds the main
//! text. The title comes from `og:title` or `<title>`, the date from
//! `article:published_time`, JSON-LD `datePublished` or `<time datetime>`,
//! the URL from `og:url` or the canonical link, the source from
//! `og:site_name` ([`meta`]).
//!
//! Pages that would make the parser take minutes (nested thousands deep)
//! are refused before parsing ([`shape`]), as are files that are not HTML
//! whatever their name ([`refuse_misnamed`], shared by every text format).

mod charset;
mod meta;
mod shape;
mod text;

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::NaiveDate;
use dom_query::Document;
use dom_smoothie::{Config, Readability, ReadabilityError};

use super::text::{shorten_title, title_of};
use super::{refuse_misnamed, Emit, Input, Reader, MAX_ARTICLE_BYTES};
use crate::model::Article;
use crate::source::SkipReason;

/// What a page with no article text is skipped with.
const NO_TEXT: &str = "no article text in the page";

/// Separators between a title and the site's name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / "];

/// The HTML reader.
pub struct Html;

impl Reader for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["html", "htm", "xhtml"]
    }

    fn version(&self) -> u32 {
        1
    }

    /// html5ever and Readability can take minutes or gigabytes on hostile
    /// markup that the shape check does not catch.
    fn untrusted(&self) -> bool {
        true
    }

    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
        let bytes = input.read_all(MAX_ARTICLE_BYTES)?;
        refuse_misnamed(&bytes, input.path, "HTML")?;
        emit(Ok(parse_page(&bytes, input.today)?));
        Ok(())
    }
}

/// Reads the article of a saved page.
pub fn parse_page(bytes: &[u8], today: NaiveDate) -> Result<Article, SkipReason> {
    let (html, decode_warning) = charset::decode_page(bytes)?;
    shape::check(&html).map_err(|misshapen| SkipReason::Unusable(misshapen.to_string()))?;
    let mut article =
        catch_unwind(AssertUnwindSafe(|| read_article(&html, today))).map_err(|_| {
            SkipReason::Unusable(
                "the HTML parser failed on this page (a bug in it, not in the page)".to_string(),
            )
        })??;
    article.warnings.splice(0..0, decode_warning);
    Ok(article)
}

fn read_article(html: &str, today: NaiveDate) -> Result<Article, SkipReason> {
    let document = Document::from(html);
    let mut warnings = Vec::new();
    let metadata = meta::read(&document, html, today, &mut warnings);
    text::strip_furniture(&document);
    if !text::has_text(&document) {
        return Err(SkipReason::Unusable(NO_TEXT.to_string()));
    }
    let config = Config {
        // Metadata is read above, before scripts are removed.
        disable_json_ld: true,
        ..Config::default()
    };
    let mut readability = Readability::with_document(document, None, Some(config))
        .map_err(|e| SkipReason::Unusable(format!("cannot read the page: {e}")))?;
    let page_title = meta::clean(&readability.get_article_title());
    let body = match readability.parse() {
        Ok(found) => text::block_text(&found.content),
        Err(ReadabilityError::GrabFailed) => String::new(),
        Err(e) => return Err(SkipReason::Unusable(format!("cannot read the page: {e}"))),
    };
    if body.is_empty() {
        return Err(SkipReason::Unusable(NO_TEXT.to_string()));
    }
    let title = metadata
        .og_title
        .or(page_title)
        .or(metadata.headline)
        .map(|title| shorten_title(without_site_name(&title, metadata.source.as_deref())))
        .unwrap_or_else(|| title_of(&body));
    Ok(Article {
        title,
        date: metadata.date,
        body,
        source: metadata.source,
        url: metadata.url,
        warnings,
        ..Article::default()
    })
}

/// `title` without the site's name before or after a separator
/// (`Headline | Site`), unless the name is all there is.
fn without_site_name<'t>(title: &'t str, site: Option<&str>) -> &'t str {
    let Some(site) = site.map(str::to_lowercase) else {
        return title;
    };
    let lower = title.to_lowercase();
    if lower.len() != title.len() {
        return title;
    }
    for separator in TITLE_SEPARATORS {
        if let Some(rest) = lower.strip_suffix(&format!("{separator}{site}")) {
            return title[..rest.len()].trim();
        }
        if let Some(rest) = lower.strip_prefix(&format!("{site}{separator}")) {
            return title[title.len() - rest.len()..].trim();
        }
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn page(head: &str, body: &str) -> Vec<u8> {
        format!("<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>").into_bytes()
    }

    const ARTICLE: &str = "<article><h1>APT31 tracked MPs</h1>\
        <p>APT31 sent tracking emails to members of parliament in Belgium and France, \
        investigators said on Tuesday. The emails carried hidden pixels that reported when \
        and where a message was opened.</p>\
        <p>The group, which Western governments tie to China's Ministry of State Security, \
        used the replies to map the recipients' networks before sending malware.</p>\
        <p>Parliamentary security teams have since blocked the tracking domains.</p></article>";

    #[test]
    fn reads_the_article_and_its_metadata() {
        let article = parse_page(
            &page(
                "<title>APT31 tracked MPs | Northgate Wire</title>\
                 <meta property=\"og:site_name\" content=\"Northgate Wire\">\
                 <link rel=\"canonical\" href=\"https://wire.example/apt31\">\
                 <meta property=\"article:published_time\" content=\"2024-03-26T08:00:00+01:00\">",
                &format!(
                    "<nav><a href=/>Home</a> <a href=/world>Worldmenu</a></nav>{ARTICLE}\
                          <footer>Copyright Northgate Footerline</footer>"
                ),
            ),
            today(),
        )
        .unwrap();
        assert_eq!(article.title, "APT31 tracked MPs");
        assert_eq!(article.date, NaiveDate::from_ymd_opt(2024, 3, 26));
        assert_eq!(article.source.as_deref(), Some("Northgate Wire"));
        assert_eq!(article.url.as_deref(), Some("https://wire.example/apt31"));
        assert!(
            article.body.starts_with("APT31 sent tracking emails"),
            "{}",
            article.body
        );
        assert!(
            article.body.contains("opened.\n\nThe group"),
            "{}",
            article.body
        );
        assert!(!article.body.contains("Worldmenu") && !article.body.contains("Footerline"));
        assert!(article.warnings.is_empty(), "{:?}", article.warnings);
    }

    #[test]
    fn without_metadata_the_title_is_the_first_heading_or_sentence() {
        let article = parse_page(&page("", ARTICLE), today()).unwrap();
        assert_eq!(article.title, "APT31 tracked MPs");
        assert_eq!(article.date, None);
        assert!(article.warnings[0].0.starts_with("no publication date"));
        let article = parse_page(b"Plain text in an html file. Second sentence.", today()).unwrap();
        assert_eq!(article.title, "Plain text in an html file.");
    }

    #[test]
    fn a_page_without_text_is_skipped() {
        for empty in [
            page(
                "<title>Nothing</title><script>var a = 'lots of text';</script>",
                "",
            ),
            page(
                "<title>Chrome only</title>",
                "<header><nav><a href=/>Home</a></nav></header>\
                 <div class=cookie-banner>We use cookies.</div><main></main>\
                 <footer>© 2025 Example</footer>",
            ),
        ] {
            assert_eq!(
                parse_page(&empty, today()),
                Err(SkipReason::Unusable(NO_TEXT.to_string()))
            );
        }
    }

    #[test]
    fn deep_and_foreign_files_are_refused_with_a_reason() {
        let deep = page(
            "",
            &format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000)),
        );
        let start = std::time::Instant::now();
        let refused = parse_page(&deep, today()).unwrap_err().to_string();
        assert!(
            refused.starts_with("HTML nested more than 512"),
            "{refused}"
        );
        assert!(start.elapsed().as_secs() < 5);
        assert_eq!(
            parse_page(b"\x00\x01\x02\x03binary", today()),
            Err(SkipReason::Binary)
        );
    }

    #[test]
    fn pages_nested_as_deep_as_allowed_are_read_on_a_small_stack() {
        let depth = shape::MAX_DEPTH - 10;
        let deep = page(
            "",
            &format!(
                "{}{ARTICLE}{}",
                "<div>".repeat(depth),
                "</div>".repeat(depth)
            ),
        );
        let article = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || parse_page(&deep, today()))
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        assert!(article.body.contains("Parliamentary security teams"));
    }

    #[test]
    fn site_names_are_cut_from_titles() {
        let site = Some("Kyiv Ledger");
        assert_eq!(
            without_site_name("Sandworm hits a utility – Kyiv Ledger", site),
            "Sandworm hits a utility"
        );
        assert_eq!(
            without_site_name("KYIV LEDGER | Sandworm", site),
            "Sandworm"
        );
        assert_eq!(without_site_name("Kyiv Ledger", site), "Kyiv Ledger");
        assert_eq!(without_site_name("A - B", None), "A - B");
    }
}
