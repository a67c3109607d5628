//! Text out of the bits of HTML that feeds put in their fields: tags
//! dropped (scripts and styles with their content), block elements made
//! line breaks, character references decoded. A stripper for snippets of
//! markup, not a parser for web pages.

/// Longest tag read, in characters; a longer run after `<` is text.
const MAX_TAG_CHARS: usize = 16 * 1024;

/// Longest character reference read, in bytes, after its `&`.
const MAX_ENTITY_BYTES: usize = 12;

/// Elements whose content is never text.
const HIDDEN: &[&str] = &["script", "style", "noscript", "template", "head", "svg"];

/// Elements that start a paragraph of their own.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "hr",
    "main",
    "nav",
    "form",
    "dl",
];

/// Elements that start a line of their own.
const LINES: &[&str] = &["br", "li", "tr", "dt", "dd", "td", "th", "caption"];

/// Named character references decoded; others are left as written.
const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", " "),
    ("ensp", " "),
    ("emsp", " "),
    ("thinsp", " "),
    ("ndash", "–"),
    ("mdash", "—"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("sbquo", "‚"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("bdquo", "„"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("hellip", "…"),
    ("bull", "•"),
    ("middot", "·"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("deg", "°"),
    ("shy", ""),
    ("zwj", ""),
    ("zwnj", ""),
];

/// `text` as plain text: stripped of tags if it holds any, its character
/// references decoded if it holds those; otherwise as it is.
pub fn plain_text(text: &str) -> String {
    if has_tags(text) {
        html_to_text(text)
    } else if text.contains('&') {
        decode_entities(text)
    } else {
        text.to_string()
    }
}

/// Whether `text` holds something that reads as an HTML tag (`<p>`,
/// `</div>`, `<br/>`, `<!-- -->`), not a lone `<` of a comparison.
pub fn has_tags(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(last_close) = bytes.iter().rposition(|&b| b == b'>') else {
        return false;
    };
    bytes[..last_close].iter().enumerate().any(|(i, &b)| {
        b == b'<'
            && bytes
                .get(i + 1)
                .is_some_and(|&next| next.is_ascii_alphabetic() || next == b'/' || next == b'!')
    })
}

/// The text of an HTML fragment: whitespace collapsed as a browser does,
/// paragraphs separated by a blank line, line breaks kept.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        push_collapsed(&mut out, &rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('&') {
            let (decoded, used) = entity(rest);
            push_collapsed(&mut out, &decoded);
            rest = &rest[used..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(tag) = Tag::at(rest) else {
            push_collapsed(&mut out, "<");
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.length..];
        if !tag.closing && !tag.self_closing && HIDDEN.contains(&tag.name.as_str()) {
            rest = skip_past_closing(rest, &tag.name);
        } else if BLOCKS.contains(&tag.name.as_str()) {
            break_line(&mut out, 2);
        } else if LINES.contains(&tag.name.as_str()) {
            break_line(&mut out, 1);
        }
    }
    push_collapsed(&mut out, rest);
    let trimmed_end = out.trim_end().len();
    out.truncate(trimmed_end);
    out
}

/// `text` with its character references decoded and nothing else changed.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (decoded, used) = entity(&rest[at..]);
        out.push_str(&decoded);
        rest = &rest[at + used..];
    }
    out.push_str(rest);
    out
}

/// A tag at the start of `text`.
struct Tag {
    /// Lower-case name.
    name: String,
    closing: bool,
    self_closing: bool,
    /// Bytes up to and including its `>`.
    length: usize,
}

impl Tag {
    fn at(text: &str) -> Option<Tag> {
        let after = text.strip_prefix('<')?;
        let (closing, after) = match after.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, after),
        };
        let declaration = after.starts_with('!') || after.starts_with('?');
        if !declaration && !after.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let name_end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(after.len());
        let name = after[..name_end].to_ascii_lowercase();
        // The end of the tag, past any quoted attribute that holds a `>`;
        // an unquoted `<` or a very long run means this was no tag.
        let mut quote = None;
        for (i, c) in text.char_indices().skip(1).take(MAX_TAG_CHARS) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '<') => return None,
                (None, '>') => {
                    return Some(Tag {
                        name,
                        closing,
                        self_closing: text[..i].ends_with('/'),
                        length: i + 1,
                    })
                }
                (None, _) => {}
            }
        }
        None
    }
}

/// `text` after the tag that closes an element named `name` (its end when
/// there is none).
fn skip_past_closing<'t>(text: &'t str, name: &str) -> &'t str {
    let closing = format!("</{name}");
    let found = text
        .as_bytes()
        .windows(closing.len())
        .position(|w| w.eq_ignore_ascii_case(closing.as_bytes()));
    match found {
        Some(at) => {
            let after = &text[at..];
            after.find('>').map_or("", |end| &after[end + 1..])
        }
        None => "",
    }
}

/// The character a reference at the start of `text` stands for, and how
/// many bytes it takes; a lone `&` stands for itself.
fn entity(text: &str) -> (String, usize) {
    let lone = ("&".to_string(), 1);
    let semicolon = text
        .bytes()
        .skip(1)
        .take(MAX_ENTITY_BYTES)
        .position(|b| b == b';');
    let Some(end) = semicolon.map(|at| at + 1) else {
        return lone;
    };
    let name = &text[1..end];
    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(decimal) = name.strip_prefix('#') {
        decimal.parse().ok()
    } else {
        return ENTITIES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(lone, |(_, s)| (s.to_string(), end + 1));
    };
    match code.and_then(char::from_u32) {
        Some('\0') | None => lone,
        Some(c) => (c.to_string(), end + 1),
    }
}

/// Appends text whose whitespace runs are one space, as HTML shows them.
fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !out.is_empty() && !out.ends_with([' ', '\n']) {
                out.push(' ');
            }
        } else {
            out.push(if c == '\u{a0}' { ' ' } else { c });
        }
    }
}

/// Ends the current line, leaving `newlines` line breaks (2: a blank line).
fn break_line(out: &mut String, newlines: usize) {
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
    if out.is_empty() {
        return;
    }
    let have = out.len() - out.trim_end_matches('\n').len();
    for _ in have..newlines {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_blocks_break_and_scripts_vanish() {
        let html = "<div class=\"a>b\"><h2>APT29  phishing</h2>\n<p>Officials <b>said</b>\n the\tgroup&nbsp;struck.<br/>Second line.</p>\
                    <script>var secret = '<p>';</script><style>p{}</style><!-- note --><ul><li>one</li><li>two &amp; three</li></ul></div>";
        assert_eq!(
            html_to_text(html),
            "APT29 phishing\n\nOfficials said the group struck.\nSecond line.\n\none\ntwo & three"
        );
    }

    #[test]
    fn plain_text_is_left_alone_but_for_its_references() {
        assert_eq!(
            plain_text("if a < b and c > d\nnext"),
            "if a < b and c > d\nnext"
        );
        assert_eq!(
            plain_text("AT&amp;T &#8220;quoted&#x201D; & &bogus; &#0;"),
            "AT&T “quoted” & &bogus; &#0;"
        );
        assert!(!has_tags("3 < 4 > 2"));
        assert!(has_tags("a <br> b"));
        assert_eq!(html_to_text("a <3 b <i>c"), "a <3 b c");
        assert_eq!(html_to_text("unterminated <script>x"), "unterminated");
    }
}
