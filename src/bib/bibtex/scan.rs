//! Splits a `.bib` file into `@type{...}` blocks before any real parsing, so that one broken
//! entry costs only itself: the `biblatex` crate stops at the first error of a whole file.

use std::ops::Range;

/// Deeper nesting than this is garbage, and the crate's parser recurses once per level.
const MAX_DEPTH: usize = 64;
/// The crate merges chunks in quadratic time; no real entry comes near this size.
const MAX_ENTRY_BYTES: usize = 128 * 1024;

/// One `@type{...}` or `@type(...)` block, ends included.
#[derive(Debug, PartialEq)]
pub(super) struct Block {
    pub span: Range<usize>,
    /// The entry type as written (`Article`, `string`, ...).
    pub kind: Range<usize>,
    /// Index of the opening `{` or `(`.
    pub open: usize,
}

/// A block that could not be delimited; `span` covers what was skipped.
#[derive(Debug, PartialEq)]
pub(super) struct Broken {
    pub span: Range<usize>,
    pub message: &'static str,
}

/// All blocks of `text` in order. Text outside blocks is a comment in BibTeX, and so is an
/// `@` not followed by `type{` (an e-mail address, say); like biber, a `%` outside blocks
/// comments out the rest of its line. An unbalanced `@comment` is silently skipped to the
/// next entry, the way BibTeX ignores everything after the `@comment` keyword.
pub(super) fn blocks(text: &str) -> Vec<Result<Block, Broken>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(at) =
        bytes.get(pos..).and_then(|rest| rest.iter().position(|&b| b == b'@' || b == b'%'))
    {
        let at = pos + at;
        pos = at + 1;
        if bytes[at] == b'%' {
            pos = find_byte(bytes, at, b'\n').unwrap_or(bytes.len());
            continue;
        }
        let Some((kind, open)) = header(bytes, at) else {
            continue;
        };
        let comment = text[kind.clone()].eq_ignore_ascii_case("comment");
        let end = match body_end(bytes, open, bytes[open] == b'(') {
            Ok(end) if end - at > MAX_ENTRY_BYTES => {
                let message = "entry is too large to read (over 128 KiB)";
                out.push(Err(Broken { span: at..end, message }));
                end
            }
            Ok(end) => {
                out.push(Ok(Block { span: at..end, kind, open }));
                end
            }
            Err(Stop { at: end, message }) => {
                if !comment {
                    out.push(Err(Broken { span: at..trim_end(bytes, at, end), message }));
                }
                end
            }
        };
        pos = end.max(pos);
    }
    out
}

fn find_byte(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    bytes.get(from..)?.iter().position(|&b| b == byte).map(|i| from + i)
}

fn is_type_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.')
}

fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// `@type {` at `at`: the type's range and the index of the opening delimiter.
fn header(bytes: &[u8], at: usize) -> Option<(Range<usize>, usize)> {
    let start = skip_blanks(bytes, at + 1);
    let mut end = start;
    while bytes.get(end).copied().is_some_and(is_type_char) {
        end += 1;
    }
    let open = skip_blanks(bytes, end);
    (end > start && matches!(bytes.get(open), Some(b'{' | b'('))).then_some((start..end, open))
}

/// Why and where delimiting stopped.
struct Stop {
    at: usize,
    message: &'static str,
}

/// Index just past the delimiter closing the one at `open`. Follows the crate's lexing:
/// a backslash escapes the next byte, and braces inside a `"..."` value don't count.
fn body_end(bytes: &[u8], open: usize, parens: bool) -> Result<usize, Stop> {
    // Brace depth at which the entry's own fields sit.
    let top = usize::from(!parens);
    let mut depth = top;
    let mut quoted = false;
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' if depth == top => quoted = !quoted,
            b'{' if !quoted => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Stop {
                        at: skip_to_next_entry(bytes, i),
                        message: "braces are nested too deeply",
                    });
                }
            }
            b'}' if !quoted => {
                if depth == 0 {
                    return Err(Stop { at: i + 1, message: "unbalanced closing brace" });
                }
                depth -= 1;
                if depth == 0 && !parens {
                    return Ok(i + 1);
                }
            }
            b')' if parens && depth == 0 && !quoted => return Ok(i + 1),
            // An entry start at the beginning of a line means this entry was never closed.
            b'\n' if starts_entry(bytes, i + 1) => {
                return Err(Stop { at: i, message: "missing closing brace before the next entry" });
            }
            _ => {}
        }
        i += 1;
    }
    Err(Stop { at: bytes.len(), message: "missing closing brace at the end of the file" })
}

/// Whether the line starting at `i` begins with `@type{`.
fn starts_entry(bytes: &[u8], i: usize) -> bool {
    let at = skip_blanks(bytes, i);
    bytes.get(at) == Some(&b'@') && header(bytes, at).is_some()
}

/// The next line that starts an entry, or the end of the text.
fn skip_to_next_entry(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(nl) = find_byte(bytes, i, b'\n') {
        if starts_entry(bytes, nl + 1) {
            return nl;
        }
        i = nl + 1;
    }
    bytes.len()
}

fn trim_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<Result<&str, (&str, &'static str)>> {
        blocks(text)
            .into_iter()
            .map(|b| match b {
                Ok(b) => Ok(&text[b.span]),
                Err(b) => Err((&text[b.span], b.message)),
            })
            .collect()
    }

    #[test]
    fn finds_entries_between_comment_text() {
        let text =
            "mail me@example.org\n@article{a, title={x {y}}}\nsee @book{b\n% @book{c}\n@misc(c, note=\"}\")";
        assert_eq!(
            spans(text),
            [
                Ok("@article{a, title={x {y}}}"),
                Err(("@book{b\n% @book{c}", "missing closing brace before the next entry")),
                Ok("@misc(c, note=\"}\")"),
            ]
        );
    }

    #[test]
    fn unterminated_entry_at_end_of_file() {
        assert_eq!(
            spans("@article{a, title={x}\n\n"),
            [Err(("@article{a, title={x}", "missing closing brace at the end of the file"))]
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing() {
        let text = format!("@misc{{a, title={}}}\n@misc{{b}}", "{".repeat(10_000));
        let found = spans(&text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].as_ref().unwrap_err().1, "braces are nested too deeply");
        assert_eq!(found[1], Ok("@misc{b}"));
    }

    #[test]
    fn kind_and_delimiters() {
        let text = "@ String ( x = \"y\" )";
        let block = blocks(text).remove(0).unwrap();
        assert_eq!(&text[block.kind], "String");
        assert_eq!(&text[block.open..block.open + 1], "(");
    }
}
