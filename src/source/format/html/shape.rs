//! A cheap look at a page's shape before it is parsed: html5ever builds
//! deeply nested trees in quadratic time (10,000 nested `<div>`s take
//! seconds, 100,000 take many minutes) and re-opens unclosed formatting
//! tags (`<b>`, `<font>`…) in every later block, so a page of a few hundred
//! kilobytes can make it build millions of elements. One linear pass over
//! the tags, ignoring text, estimates both and refuses such pages.

use std::fmt;

/// The deepest nesting accepted. Real pages nest a few dozen elements;
/// Chromium's parser stops nesting at this depth too.
pub const MAX_DEPTH: usize = 512;

/// The most elements the parser may re-open for unclosed formatting tags.
pub const MAX_REOPENED: u64 = 2_000_000;

/// Why a page is refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misshapen {
    /// Elements nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Unclosed formatting tags that the parser would re-open in so many
    /// blocks that it would build over [`MAX_REOPENED`] elements.
    TooManyReopened,
}

impl fmt::Display for Misshapen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Misshapen::TooDeep => write!(
                f,
                "HTML nested more than {MAX_DEPTH} elements deep (real pages nest a few dozen); \
                 refused, as parsing it could take minutes"
            ),
            Misshapen::TooManyReopened => write!(
                f,
                "HTML whose unclosed formatting tags (<b>, <font>…) would make the parser \
                 re-open them over {MAX_REOPENED} times; refused, as parsing it would take \
                 minutes and gigabytes"
            ),
        }
    }
}

/// Elements whose end tag may be left out, or that the parser closes
/// when a sibling starts (`<p>`, `<li>`, `<td>`…): they never nest deeply,
/// so they are not counted.
const SELF_CLOSING_SIBLINGS: &[&[u8]] = &[
    b"p",
    b"li",
    b"dt",
    b"dd",
    b"option",
    b"optgroup",
    b"rb",
    b"rt",
    b"rtc",
    b"rp",
    b"tr",
    b"td",
    b"th",
    b"thead",
    b"tbody",
    b"tfoot",
    b"colgroup",
    b"caption",
    b"html",
    b"head",
    b"body",
];

const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"basefont",
    b"bgsound",
    b"br",
    b"col",
    b"embed",
    b"frame",
    b"hr",
    b"img",
    b"input",
    b"keygen",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"image",
];

/// Elements whose content is text up to their end tag, not markup.
const RAW_TEXT: &[&[u8]] = &[
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
];

/// The formatting elements the parser re-opens after an enclosing block
/// closes them.
const FORMATTING: &[&[u8]] = &[
    b"a", b"b", b"big", b"code", b"em", b"font", b"i", b"nobr", b"s", b"small", b"strike",
    b"strong", b"tt", b"u",
];

/// A tag name, lower-cased and cut to its first bytes: enough to match
/// end tags to start tags.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Name {
    bytes: [u8; 12],
    len: u8,
}

impl Name {
    fn new(raw: &[u8]) -> Name {
        let mut bytes = [0u8; 12];
        let len = raw.len().min(bytes.len());
        for (to, from) in bytes.iter_mut().zip(raw) {
            *to = from.to_ascii_lowercase();
        }
        Name {
            bytes,
            len: len as u8,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    fn is_in(&self, list: &[&[u8]]) -> bool {
        list.contains(&self.as_bytes())
    }
}

/// Checks the page's nesting and unclosed formatting tags, in one pass.
pub fn check(html: &str) -> Result<(), Misshapen> {
    let bytes = html.as_bytes();
    let mut open: Vec<Name> = Vec::new();
    let mut formatting = [0u64; FORMATTING.len()];
    let mut reopened: u64 = 0;
    let mut at = 0;
    while let Some(offset) = find_byte(&bytes[at..], b'<') {
        at += offset;
        let rest = &bytes[at..];
        if rest.starts_with(b"<!--") {
            at = skip_past(bytes, at + 4, b"-->");
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            at = skip_past(bytes, at + 2, b">");
        } else if rest.starts_with(b"</") && rest.get(2).is_some_and(u8::is_ascii_alphabetic) {
            let (name, end) = tag_name(bytes, at + 2);
            at = skip_past(bytes, end, b">");
            close(&mut open, name, &mut formatting);
        } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            let (name, end) = tag_name(bytes, at + 1);
            let (self_closing, after) = skip_attributes(bytes, end);
            at = after;
            reopened += formatting.iter().sum::<u64>();
            if reopened > MAX_REOPENED {
                return Err(Misshapen::TooManyReopened);
            }
            if name.as_bytes() == b"plaintext" {
                return Ok(());
            }
            if name.is_in(RAW_TEXT) {
                at = skip_raw_text(bytes, at, name.as_bytes());
                continue;
            }
            if name.is_in(VOID) || name.is_in(SELF_CLOSING_SIBLINGS) {
                continue;
            }
            if self_closing && in_foreign_content(&open) {
                continue;
            }
            if name.as_bytes() == b"a" && open.iter().any(|n| n.as_bytes() == b"a") {
                // A new link closes the one still open.
                close(&mut open, name, &mut formatting);
            }
            if let Some(slot) = formatting_slot(name) {
                formatting[slot] += 1;
            }
            open.push(name);
            if open.len() > MAX_DEPTH {
                return Err(Misshapen::TooDeep);
            }
        } else {
            at += 1;
        }
    }
    Ok(())
}

/// Closes the innermost open element named `name` and those inside it; an
/// end tag that matches nothing open is ignored, as the parser does. A
/// formatting end tag also ends one unclosed formatting element of its name.
fn close(open: &mut Vec<Name>, name: Name, formatting: &mut [u64]) {
    if let Some(count) = formatting_slot(name).and_then(|slot| formatting.get_mut(slot)) {
        *count = count.saturating_sub(1);
    }
    if let Some(index) = open.iter().rposition(|n| *n == name) {
        open.truncate(index);
    }
}

fn formatting_slot(name: Name) -> Option<usize> {
    FORMATTING.iter().position(|f| *f == name.as_bytes())
}

fn in_foreign_content(open: &[Name]) -> bool {
    open.iter()
        .any(|n| n.as_bytes() == b"svg" || n.as_bytes() == b"math")
}

/// The tag name starting at `start`, and where it ends.
fn tag_name(bytes: &[u8], start: usize) -> (Name, usize) {
    let end = bytes[start..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
        .map_or(bytes.len(), |n| start + n);
    (Name::new(&bytes[start..end]), end)
}

/// Skips a start tag's attributes, quoted values included; returns whether
/// the tag ends with `/>` and where the tag ends.
fn skip_attributes(bytes: &[u8], mut at: usize) -> (bool, usize) {
    let mut last = 0u8;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'>' => return (last == b'/', at + 1),
            b'"' | b'\'' if last == b'=' => {
                at = skip_past(bytes, at + 1, &[b]);
                last = b;
                continue;
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() || last != b'=' {
            last = b;
        }
        at += 1;
    }
    (false, bytes.len())
}

/// Skips the text of a `<script>`-like element to just past its end tag.
fn skip_raw_text(bytes: &[u8], mut at: usize, name: &[u8]) -> usize {
    while let Some(offset) = find_byte(&bytes[at..], b'<') {
        at += offset;
        let candidate = bytes.get(at + 2..at + 2 + name.len());
        if bytes.get(at + 1) == Some(&b'/')
            && candidate.is_some_and(|c| c.eq_ignore_ascii_case(name))
        {
            return skip_past(bytes, at + 2 + name.len(), b">");
        }
        at += 1;
    }
    bytes.len()
}

/// The position just past the first `needle` at or after `from`, or the end.
fn skip_past(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    let Some(haystack) = bytes.get(from..) else {
        return bytes.len();
    };
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .map_or(bytes.len(), |n| from + n + needle.len())
}

fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(tag: &str, depth: usize) -> String {
        format!(
            "<html><body>{}text{}</body></html>",
            format!("<{tag}>").repeat(depth),
            format!("</{tag}>").repeat(depth)
        )
    }

    #[test]
    fn ordinary_pages_pass() {
        let page = "<!DOCTYPE html><html><head><title>a < b</title>\
            <script>if (a < b) { document.write('<div><div><div>'); }</script>\
            <style>p > a { color: red }</style></head><body>\
            <!-- <div><div> -->\
            <div class=\"x\" data-y='a>b'><p>One<p>Two<ul><li>a<li>b</ul>\
            <svg><path d=\"M0 0\"/><path/></svg><br/><img src=x></div></body></html>";
        assert_eq!(check(page), Ok(()));
        assert_eq!(check(&nested("div", MAX_DEPTH - 5)), Ok(()));
        assert_eq!(check(&"<p>para".repeat(100_000)), Ok(()));
        assert_eq!(check(&"<li>item".repeat(100_000)), Ok(()));
        assert_eq!(check(&"<a href=x>link".repeat(100_000)), Ok(()));
        assert_eq!(check(&"<div>closed</div>".repeat(100_000)), Ok(()));
        assert_eq!(check("<p>a lone < sign, </ and <"), Ok(()));
    }

    #[test]
    fn deep_nesting_is_refused_cheaply() {
        let page = nested("div", 100_000);
        let start = std::time::Instant::now();
        assert_eq!(check(&page), Err(Misshapen::TooDeep));
        assert!(start.elapsed().as_secs() < 2);
        assert_eq!(
            check(&nested("span", MAX_DEPTH + 1)),
            Err(Misshapen::TooDeep)
        );
        // Unclosed, or padded with end tags that match nothing open.
        assert_eq!(
            check(&"<div></span>".repeat(10_000)),
            Err(Misshapen::TooDeep)
        );
        // `<div/>` does not close a div outside SVG.
        assert_eq!(check(&"<div/>".repeat(10_000)), Err(Misshapen::TooDeep));
    }

    #[test]
    fn formatting_tags_reopened_in_every_block_are_refused() {
        let opening: String = (0..500).map(|i| format!("<b id={i}>")).collect();
        let page = format!("<p>{opening}</p>{}", "<p>x</p>".repeat(20_000));
        assert_eq!(check(&page), Err(Misshapen::TooManyReopened));
        // End tags of other formatting elements do not hide them.
        let page = format!("<p>{opening}</p>{}", "</i><p>x</p>".repeat(20_000));
        assert_eq!(check(&page), Err(Misshapen::TooManyReopened));
        // A few unclosed tags in an ordinary page are fine.
        let page = format!("<font face=Arial><b>{}", "<p>x</p>".repeat(100_000));
        assert_eq!(check(&page), Ok(()));
    }
}
