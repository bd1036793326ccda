//! Pandoc YAML front matter: bibliography files, inline `references:`, the abstract.
//!
//! YAML values carry no positions, so spans are found by looking for each value in the
//! text after its key.

use std::ops::Range;

use serde_yaml_ng::Value;

use super::ir::BibliographyRef;
use super::prose::trim;

#[derive(Debug, Default, PartialEq)]
pub(crate) struct FrontMatter {
    pub bibliographies: Vec<BibliographyRef>,
    /// The `references:` list re-serialised as YAML.
    pub inline_references: Option<String>,
    /// The `abstract:` key, and its value as source text.
    pub abstract_: Option<(Range<usize>, Range<usize>)>,
}

/// Reads the front matter block `block` (with its `---` lines).
pub(crate) fn read(text: &str, block: Range<usize>) -> FrontMatter {
    let mut out = FrontMatter::default();
    let block_text = text.get(block.clone()).unwrap_or_default();
    let first_line = block_text.find('\n').map_or(block_text.len(), |p| p + 1);
    let last_line = block_text.trim_end().rfind('\n').unwrap_or(first_line).max(first_line);
    let content = block.start + first_line..block.start + last_line;
    let Ok(Value::Mapping(map)) = serde_yaml_ng::from_str::<Value>(&text[content.clone()]) else {
        return out;
    };
    if let Some(value) = map.get("bibliography") {
        let paths = match value {
            Value::String(s) => vec![s.as_str()],
            Value::Sequence(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let mut from =
            key_line(text, content.clone(), "bibliography").map_or(content.start, |k| k.end);
        for path in paths {
            let Some(at) = text[from..content.end].find(path) else {
                continue;
            };
            let span = from + at..from + at + path.len();
            from = span.end;
            out.bibliographies.push(BibliographyRef { path: path.to_string(), span });
        }
    }
    if let Some(references) = map.get("references") {
        out.inline_references = serde_yaml_ng::to_string(references).ok();
    }
    if let Some(key) = map.get("abstract").and(key_line(text, content.clone(), "abstract")) {
        out.abstract_ =
            Some((key.clone(), value_text(text, key.end..next_key(text, key.end, content.end))));
    }
    out
}

/// The `key:` at the start of a line of `content`.
fn key_line(text: &str, content: Range<usize>, key: &str) -> Option<Range<usize>> {
    let mut line_start = content.start;
    for line in text[content.clone()].split_inclusive('\n') {
        if line.strip_prefix(key).is_some_and(|rest| rest.starts_with(':')) {
            return Some(line_start..line_start + key.len() + 1);
        }
        line_start += line.len();
    }
    None
}

/// Start of the next top-level key's line after `from` (or `end`).
fn next_key(text: &str, from: usize, end: usize) -> usize {
    let mut at = from;
    for (i, line) in text[from..end].split_inclusive('\n').enumerate() {
        if i > 0 && line.starts_with(|c: char| c.is_alphanumeric()) && line.contains(':') {
            return at;
        }
        at += line.len();
    }
    end
}

/// A scalar's text without a block-scalar header (`|`, `>-`) or surrounding quotes.
fn value_text(text: &str, value: Range<usize>) -> Range<usize> {
    let mut value = trim(text, value);
    let s = &text[value.clone()];
    if s.starts_with(['|', '>']) {
        value.start += s.find('\n').unwrap_or(s.len());
    } else if s.len() >= 2
        && (s.starts_with('"') && s.ends_with('"') || s.starts_with('\'') && s.ends_with('\''))
    {
        value = value.start + 1..value.end - 1;
    }
    trim(text, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bibliography_string_or_list_with_spans() {
        let text = "---\ntitle: x\nbibliography:\n  - a.bib\n  - 'refs/b.bib'\n---\n";
        let fm = read(text, 0..text.len());
        let found: Vec<_> =
            fm.bibliographies.iter().map(|b| (b.path.as_str(), &text[b.span.clone()])).collect();
        assert_eq!(found, [("a.bib", "a.bib"), ("refs/b.bib", "refs/b.bib")]);
        let text = "---\nbibliography: paper.bib\n...\n";
        assert_eq!(read(text, 0..text.len()).bibliographies[0].span, 18..27);
    }

    #[test]
    fn references_and_abstract() {
        let text =
            "---\nabstract: |\n  We show it.\n  Twice.\nreferences:\n- id: doe\n  title: T\n---\n";
        let fm = read(text, 0..text.len());
        let refs: Value =
            serde_yaml_ng::from_str(fm.inline_references.as_deref().unwrap()).unwrap();
        assert_eq!(refs[0]["id"].as_str(), Some("doe"));
        let (key, value) = fm.abstract_.unwrap();
        assert_eq!((&text[key], &text[value]), ("abstract:", "We show it.\n  Twice."));
    }

    #[test]
    fn invalid_yaml_reads_as_nothing() {
        let text = "---\nbibliography: [a\n---\n";
        assert_eq!(read(text, 0..text.len()), FrontMatter::default());
    }
}
