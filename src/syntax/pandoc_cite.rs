//! Pandoc citation keys: `@key`, `@{key}`, and the keys of a bracketed group.

use std::ops::Range;

use super::ir::CitationKey;

/// pandoc-crossref label prefixes: `@fig:x` is a cross-reference, not a citation.
const CROSSREF_PREFIXES: &[&str] = &["fig:", "sec:", "eq:", "tbl:", "lst:"];

/// Longest `@{..}` key looked for.
const MAX_BRACED_KEY: usize = 256;

/// Punctuation kept inside a key when a key character follows it.
const INNER_PUNCTUATION: &str = ":.#$%&-+?<>~/";

/// The key after the `@` at `at`: its span and where the citation text ends.
pub(crate) fn key_after(text: &str, at: usize) -> Option<(Range<usize>, usize)> {
    let start = at + 1;
    let rest = text.get(start..)?;
    if let Some(braced) = rest.strip_prefix('{') {
        let close = braced.bytes().take(MAX_BRACED_KEY).position(|b| b == b'}' || b == b'\n')?;
        (braced.as_bytes()[close] == b'}').then_some(())?;
        return Some((start + 1..start + 1 + close, start + close + 2));
    }
    let is_key_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut chars = rest.char_indices().peekable();
    let mut end = match chars.next() {
        Some((_, c)) if is_key_char(c) => c.len_utf8(),
        _ => return None,
    };
    while let Some((i, c)) = chars.next() {
        let inner = INNER_PUNCTUATION.contains(c)
            && chars.peek().is_some_and(|&(_, next)| is_key_char(next));
        if !(is_key_char(c) || inner) {
            break;
        }
        end = i + c.len_utf8();
    }
    Some((start..start + end, start + end))
}

/// Whether an `@` preceded by `before` can start a citation (not an e-mail address).
pub(crate) fn can_cite_after(before: Option<char>) -> bool {
    before.is_none_or(|c| !(c.is_alphanumeric() || "_.@+-".contains(c)))
}

pub(crate) fn is_crossref(key: &str) -> bool {
    CROSSREF_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Keys of the bracketed group with inner range `inner` (`see @a, p. 3; -@b`); `None` when
/// no `@` there can start a citation. A bare `@` yields an empty key, for completion.
pub(crate) fn bracket_keys(text: &str, inner: Range<usize>) -> Option<Vec<CitationKey>> {
    let body = text.get(inner.clone())?;
    let mut keys = Vec::new();
    let mut found = false;
    let mut before = None;
    for (i, c) in body.char_indices() {
        let at = inner.start + i;
        let starts = c == '@'
            && (before.is_none()
                || before.is_some_and(|b: char| b.is_whitespace() || b == '-' || b == ';'));
        before = Some(c);
        if !starts {
            continue;
        }
        found = true;
        match key_after(text, at).filter(|(span, _)| span.end <= inner.end) {
            Some((span, _)) => keys.push(CitationKey { key: text[span.clone()].to_string(), span }),
            None => keys.push(CitationKey { key: String::new(), span: at + 1..at + 1 }),
        }
    }
    found.then_some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Option<&str> {
        key_after(text, 0).map(|(span, _)| &text[span])
    }

    #[test]
    fn keys_keep_inner_punctuation_only() {
        assert_eq!(key("@smith2020."), Some("smith2020"));
        assert_eq!(key("@doe:2019-a, more"), Some("doe:2019-a"));
        assert_eq!(key("@a/b_c?d."), Some("a/b_c?d"));
        assert_eq!(key("@{key.with:punct.}"), Some("key.with:punct."));
        assert_eq!(key("@ alone"), None);
        assert_eq!(key("@{unclosed"), None);
    }

    #[test]
    fn bracket_groups_find_each_key() {
        let text = "[see @a, p. 3; -@b and x@y]";
        let keys = bracket_keys(text, 1..text.len() - 1).unwrap();
        let found: Vec<_> = keys.iter().map(|k| &text[k.span.clone()]).collect();
        assert_eq!(found, ["a", "b"]);
        assert!(bracket_keys("[sic]", 1..4).is_none());
        let typing = bracket_keys("[@]", 1..2).unwrap();
        assert_eq!((typing[0].key.as_str(), typing[0].span.clone()), ("", 2..2));
    }

    #[test]
    fn email_addresses_do_not_cite() {
        assert!(!can_cite_after(Some('a')));
        assert!(can_cite_after(Some(' ')));
        assert!(can_cite_after(None));
    }
}
