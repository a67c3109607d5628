//! From a page's bytes to its text, decoded from the encoding the page declares
//! (byte-order mark, `<meta charset>`, `<meta http-equiv>` or the XML
//! declaration), else as UTF-8, else as Windows-1252.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

use crate::model::Warning;
use crate::source::format::HEAD_BYTES;
use crate::source::SkipReason;

/// The page's text, with a warning when its encoding had to be guessed or
/// some bytes did not fit it.
pub fn decode_page(bytes: &[u8]) -> Result<(String, Option<Warning>), SkipReason> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return finish(
            text.into_owned(),
            had_errors.then(|| invalid_bytes(encoding)),
        );
    }
    if looks_binary(bytes) {
        return Err(SkipReason::Binary);
    }
    match declared_encoding(bytes) {
        Some(encoding) if encoding != UTF_8 => {
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            finish(
                text.into_owned(),
                had_errors.then(|| invalid_bytes(encoding)),
            )
        }
        declared => match std::str::from_utf8(bytes) {
            Ok(text) => finish(text.to_string(), None),
            Err(_) => {
                let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
                let why = if declared.is_some() {
                    "declares UTF-8 but is not valid UTF-8"
                } else {
                    "declares no encoding and is not valid UTF-8"
                };
                finish(
                    text.into_owned(),
                    Some(Warning(format!(
                        "the page {why}; decoded as Windows-1252 (Latin-1)"
                    ))),
                )
            }
        },
    }
}

fn finish(text: String, warning: Option<Warning>) -> Result<(String, Option<Warning>), SkipReason> {
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    Ok((text, warning))
}

fn invalid_bytes(encoding: &'static Encoding) -> Warning {
    Warning(format!(
        "some bytes are not valid {}, the page's encoding; they were replaced by �",
        encoding.name()
    ))
}

/// NUL bytes, or many control characters, in the first bytes: text never
/// has them (UTF-16 pages, which do, start with a byte-order mark).
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    head.contains(&0) || control * 20 > head.len()
}

/// The encoding the page declares in its first bytes: a `<meta>` tag's
/// `charset` (also inside `content="text/html; charset=…"`) or an XML
/// declaration's `encoding`. A declared UTF-16 means UTF-8, as browsers
/// read it: the bytes being read are ASCII-compatible.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let lower = head.to_ascii_lowercase();
    let label = if lower.starts_with(b"<?xml") {
        let end = find(&lower, b"?>").unwrap_or(lower.len());
        attribute_value(&lower[..end], b"encoding")
    } else {
        None
    };
    let label = label.or_else(|| {
        let mut at = 0;
        while let Some(offset) = find(&lower[at..], b"<meta") {
            let start = at + offset;
            let end = find(&lower[start..], b">").map_or(lower.len(), |n| start + n);
            if let Some(label) = attribute_value(&lower[start..end], b"charset") {
                return Some(label);
            }
            at = end;
        }
        None
    })?;
    let encoding = Encoding::for_label(label)?;
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        return Some(UTF_8);
    }
    if encoding == encoding_rs::X_USER_DEFINED {
        return Some(WINDOWS_1252);
    }
    Some(encoding)
}

/// The value after `name` and `=` in a tag, quoted or not.
fn attribute_value<'t>(tag: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
    let after_name = find(tag, name)? + name.len();
    let rest = tag[after_name..].trim_ascii_start();
    let rest = rest.strip_prefix(b"=")?.trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or(rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b';' | b'>' | b'/'))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|label| !label.is_empty())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> (String, Option<String>) {
        let (text, warning) = decode_page(bytes).unwrap();
        (text, warning.map(|w| w.0))
    }

    #[test]
    fn the_declared_encoding_is_used() {
        let page = b"<html><head><meta charset=\"windows-1252\"><title>Caf\xE9</title></head>\
            <body>\x93quoted\x94 \x80</body></html>";
        let (text, warning) = decoded(page);
        assert!(text.contains("Café") && text.contains("\u{201c}quoted\u{201d} €"));
        assert_eq!(warning, None);
        let page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">\
            Z\xFCrich";
        assert!(decoded(page).0.contains("Zürich"));
        let page = b"<?xml version=\"1.0\" encoding='iso-8859-15'?><html>\xA4</html>";
        assert!(decoded(page).0.contains('€'));
        let page = "<meta charset=utf-16><p>Ünïcode</p>".as_bytes();
        assert_eq!(
            decoded(page),
            (String::from_utf8(page.to_vec()).unwrap(), None)
        );
    }

    #[test]
    fn byte_order_marks_win_and_utf16_is_read() {
        let mut page = vec![0xFF, 0xFE];
        for unit in "<p>Kyiv – Київ</p>".encode_utf16() {
            page.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decoded(&page).0, "<p>Kyiv – Київ</p>");
        let page = b"\xEF\xBB\xBF<meta charset=windows-1252><p>caf\xC3\xA9</p>";
        assert_eq!(decoded(page).0, "<meta charset=windows-1252><p>café</p>");
    }

    #[test]
    fn undeclared_or_wrongly_declared_latin1_is_decoded_with_a_warning() {
        let (text, warning) = decoded(b"<p>Caf\xE9</p>");
        assert_eq!(text, "<p>Café</p>");
        assert!(warning.unwrap().contains("declares no encoding"));
        let (text, warning) = decoded(b"<meta charset=utf-8><p>Caf\xE9</p>");
        assert!(text.ends_with("<p>Café</p>"));
        assert!(warning.unwrap().contains("declares UTF-8"));
    }

    #[test]
    fn binary_and_blank_pages_are_refused() {
        assert_eq!(
            decode_page(b"<html>\0\x01\x02\x03</html>"),
            Err(SkipReason::Binary)
        );
        assert_eq!(decode_page(b" \n\t"), Err(SkipReason::Empty));
    }
}
