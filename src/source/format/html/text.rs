//! The page's text: [`strip_furniture`] removes what is never the article
//! (navigation, site header and footer, sidebars, cookie banners, scripts,
//! forms' controls) before the Readability port looks for the main text,
//! and [`block_text`] writes the HTML it finds as text, one paragraph,
//! heading, list item or table row a line, so words of adjacent blocks
//! are never glued together.

use dom_query::{Document, NodeRef};

/// Elements that are never article text.
const FURNITURE: &str = "script, style, noscript, template, iframe, object, embed, svg, canvas, \
    nav, aside, button, select, textarea, input, dialog, [hidden], [role=navigation], \
    [role=banner], [role=contentinfo], [role=complementary], [role=search], [role=dialog], \
    [role=alertdialog]";

/// Words of a class or id (split at `-`, `_` and spaces) that mark page
/// furniture, also as the start of a word (`cookies`, `sharing`).
const FURNITURE_PREFIXES: &[&str] = &[
    "cookie",
    "consent",
    "gdpr",
    "newsletter",
    "subscri",
    "related",
    "share",
    "sharing",
    "social",
    "breadcrumb",
    "sidebar",
    "promo",
    "advert",
    "byline",
    "dateline",
    "author",
];

/// Words of a class or id that mark page furniture when they are the
/// whole word (`ad-slot`, `encart-pub`, `post-date`, `entry-meta`).
const FURNITURE_WORDS: &[&str] = &["ad", "ads", "pub", "date", "meta", "tags"];

/// How much text may surround a form for the whole box to be taken for a
/// newsletter or search box.
const MAX_FORM_BOX_CHARS: usize = 300;

/// An element marked as furniture by its class or id is removed only when
/// its text is shorter than this: a wrapper of the whole page may carry a
/// class like `has-cookie-banner`.
const MAX_FURNITURE_CHARS: usize = 3_000;

/// Removes the page furniture from `document`; the site's `<header>` goes,
/// an article's own header (its title and standfirst) stays.
pub fn strip_furniture(document: &Document) {
    document.select(FURNITURE).remove();
    for node in document.select("header, footer").nodes() {
        let in_content = node.ancestors_it(None).any(|a| {
            a.node_name().is_some_and(|name| {
                if node.has_name("header") {
                    matches!(name.as_ref(), "article" | "main")
                } else {
                    matches!(name.as_ref(), "blockquote" | "figure")
                }
            })
        });
        if !in_content {
            node.remove_from_parent();
        }
    }
    for node in document.select("[class], [id]").nodes() {
        if node.has_name("html")
            || node.has_name("body")
            || node.has_name("article")
            || node.has_name("main")
        {
            continue;
        }
        if !is_furniture_label(node) {
            continue;
        }
        let holds_content = node
            .descendants_it()
            .any(|d| d.has_name("article") || d.has_name("main") || d.has_name("h1"));
        if !holds_content && node.normalized_char_count() < MAX_FURNITURE_CHARS {
            node.remove_from_parent();
        }
    }
    for form in document.select("form").nodes() {
        let mut box_node = *form;
        while let Some(parent) = box_node.parent() {
            if !parent.is_element()
                || ["body", "html", "main", "article"]
                    .iter()
                    .any(|name| parent.has_name(name))
                || parent.normalized_char_count() > MAX_FORM_BOX_CHARS
            {
                break;
            }
            box_node = parent;
        }
        if box_node.normalized_char_count() <= MAX_FORM_BOX_CHARS {
            box_node.remove_from_parent();
        }
    }
}

/// Whether an element's class or id names it as page furniture.
fn is_furniture_label(node: &NodeRef) -> bool {
    let label = format!(
        "{} {}",
        node.attr("class").as_deref().unwrap_or(""),
        node.attr("id").as_deref().unwrap_or("")
    )
    .to_ascii_lowercase();
    label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            FURNITURE_WORDS.contains(&word)
                || FURNITURE_PREFIXES
                    .iter()
                    .any(|prefix| word.starts_with(prefix))
        })
}

/// Whether the page's body holds any text at all.
pub fn has_text(document: &Document) -> bool {
    document
        .body()
        .unwrap_or_else(|| document.root())
        .descendants_it()
        .any(|node| node.is_text() && node.text().chars().any(|c| !c.is_whitespace()))
}

/// How an element breaks the text around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Break {
    /// Inline: no break.
    None,
    /// Its own line.
    Line,
    /// Its own paragraph, a blank line before and after.
    Paragraph,
    /// A table cell: a separator from the previous cell of its row.
    Cell,
}

fn break_of(name: &str) -> Break {
    match name {
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "table" | "ul"
        | "ol" | "dl" | "figure" | "hr" | "section" | "article" | "main" | "header" | "footer"
        | "aside" | "nav" | "form" | "fieldset" | "details" | "address" | "center" | "menu" => {
            Break::Paragraph
        }
        "div" | "li" | "dt" | "dd" | "tr" | "br" | "figcaption" | "caption" | "summary"
        | "legend" | "option" | "dir" | "body" | "html" | "thead" | "tbody" | "tfoot"
        | "hgroup" | "dialog" => Break::Line,
        "td" | "th" => Break::Cell,
        _ => Break::None,
    }
}

/// Elements whose content is never text to read.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "title"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "button"
            | "select"
            | "textarea"
    )
}

/// The text of an HTML fragment, a line per block.
pub fn block_text(html: &str) -> String {
    let document = Document::fragment(html);
    let mut writer = Writer::default();
    let mut pending: Vec<Step> = document.root().children_it(true).map(Step::Enter).collect();
    while let Some(step) = pending.pop() {
        match step {
            Step::Enter(node) => {
                if node.is_text() {
                    writer.text(&node.text());
                    continue;
                }
                let Some(name) = node.node_name() else {
                    continue;
                };
                if !node.is_element() || is_skipped(&name) {
                    continue;
                }
                let kind = break_of(&name);
                let pre = name.as_ref() == "pre";
                writer.open(kind, pre);
                pending.push(Step::Leave(kind, pre));
                pending.extend(node.children_it(true).map(Step::Enter));
            }
            Step::Leave(kind, pre) => writer.close(kind, pre),
        }
    }
    writer.finish()
}

enum Step<'a> {
    Enter(NodeRef<'a>),
    Leave(Break, bool),
}

/// Writes text with whitespace collapsed and breaks applied lazily, so
/// that empty elements leave no blank lines.
#[derive(Default)]
struct Writer {
    out: String,
    /// Newlines owed before the next text (0, 1 or 2).
    owed_newlines: usize,
    owed_space: bool,
    owed_cell: bool,
    /// Inside how many `<pre>`s, where whitespace is kept.
    pre: usize,
}

impl Writer {
    fn open(&mut self, kind: Break, pre: bool) {
        match kind {
            Break::None => {}
            Break::Line => self.owe_newlines(1),
            Break::Paragraph => self.owe_newlines(2),
            Break::Cell => self.owed_cell = true,
        }
        if pre {
            self.pre += 1;
        }
    }

    fn close(&mut self, kind: Break, pre: bool) {
        if pre {
            self.pre = self.pre.saturating_sub(1);
        }
        match kind {
            Break::None | Break::Cell => {}
            Break::Line => self.owe_newlines(1),
            Break::Paragraph => self.owe_newlines(2),
        }
    }

    fn owe_newlines(&mut self, count: usize) {
        self.owed_newlines = self.owed_newlines.max(count);
        self.owed_cell = false;
    }

    fn text(&mut self, text: &str) {
        if self.pre > 0 {
            let mut lines = text.split('\n');
            if let Some(first) = lines.next() {
                self.word(first.trim_end());
            }
            for line in lines {
                self.owe_newlines(1);
                self.word(line.trim_end());
            }
            return;
        }
        if text.starts_with(char::is_whitespace) {
            self.owed_space = true;
        }
        for (index, word) in text.split_whitespace().enumerate() {
            if index > 0 {
                self.owed_space = true;
            }
            self.word(word);
        }
        if text.ends_with(char::is_whitespace) {
            self.owed_space = true;
        }
    }

    fn word(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        if !self.out.is_empty() {
            if self.owed_newlines > 0 {
                self.out.truncate(self.out.trim_end_matches(' ').len());
                for _ in 0..self.owed_newlines {
                    self.out.push('\n');
                }
            } else if self.owed_cell {
                self.out.truncate(self.out.trim_end_matches(' ').len());
                self.out.push_str(" | ");
            } else if self.owed_space && !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
        }
        self.owed_newlines = 0;
        self.owed_cell = false;
        self.owed_space = false;
        self.out.push_str(word);
    }

    fn finish(self) -> String {
        self.out.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_and_words_are_never_glued() {
        let text = block_text(
            "<div><h2>Title</h2><p>First <b>bold</b> sentence\n ends.</p><p>Next one.</p>\
             <div>A</div><div>B</div><ul><li>one</li><li>two</li></ul>\
             <dl><dt>Term</dt><dd>Meaning</dd></dl>\
             <table><tr><th>Indicator</th><th>Type</th></tr><tr><td>evil.dll</td><td>File</td></tr></table>\
             <p>Line<br>break</p><figure><img src=x><figcaption>Caption.</figcaption></figure>\
             <pre>keep\n  indented</pre><p>  </p><script>no()</script><p>Last.</p></div>",
        );
        assert_eq!(
            text,
            "Title\n\nFirst bold sentence ends.\n\nNext one.\n\nA\nB\n\none\ntwo\n\nTerm\nMeaning\n\n\
             Indicator | Type\nevil.dll | File\n\nLine\nbreak\n\nCaption.\n\nkeep\n  indented\n\nLast."
        );
    }

    #[test]
    fn inline_elements_keep_their_spacing() {
        assert_eq!(
            block_text("<p>APT<b>29</b> and <a href=x>Cozy Bear</a>, <i>again</i> .</p>"),
            "APT29 and Cozy Bear, again ."
        );
        assert_eq!(block_text("<p>a</p> <p>   </p>"), "a");
    }

    #[test]
    fn furniture_is_removed_and_the_article_header_kept() {
        let document = Document::from(
            "<html><body class=\"has-cookie-banner\"><header><nav>Menu</nav>Site</header>\
             <div class=\"cookie-notice\">We use cookies.</div>\
             <main><article><header><h1>Headline</h1><p>Standfirst.</p></header>\
             <p>Body text.</p><footer>Tags</footer>\
             <blockquote>Quote.<footer>Speaker</footer></blockquote>\
             <div class=\"related-posts\">Other story</div></article></main>\
             <aside>Sidebar</aside><footer>Copyright</footer><script>x()</script></body></html>",
        );
        strip_furniture(&document);
        let text = block_text(&document.select("body").html());
        assert_eq!(
            text,
            "Headline\n\nStandfirst.\n\nBody text.\n\nQuote.\n\nSpeaker"
        );
        assert!(has_text(&document));
        let empty = Document::from("<html><body><nav>Home</nav><footer>©</footer></body></html>");
        strip_furniture(&empty);
        assert!(!has_text(&empty));
    }
}
