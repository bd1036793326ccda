//! CSL-JSON and CSL-YAML. Both are read into a `serde_json::Value` and share one mapping to
//! [`Entry`]; spans are recovered from the text afterwards, since serde does not keep them.

use std::ops::Range;

use serde_json::{Map, Value};

use super::{BibDiagnostic, Bibliography, Entry, Severity};

pub(super) fn parse_json(text: &str) -> Bibliography {
    match serde_json::from_str::<Value>(text) {
        Err(err) => malformed_file(text, offset_at(text, err.line(), err.column()), &err),
        Ok(value) => {
            let spans = if value.is_array() { json_item_spans(text) } else { Vec::new() };
            from_value(text, value, &spans)
        }
    }
}

pub(super) fn parse_yaml(text: &str) -> Bibliography {
    match serde_yaml_ng::from_str::<Value>(text) {
        // The location's index is a byte offset.
        Err(err) => malformed_file(text, err.location().map_or(0, |l| l.index()), &err),
        Ok(value) => from_value(text, value, &[]),
    }
}

/// Entries of a list of items or of a mapping with `references:`. `item_spans` are the
/// items' exact ranges when known; otherwise an entry's span is its id's.
fn from_value(text: &str, value: Value, item_spans: &[Range<usize>]) -> Bibliography {
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("references") {
            Some(Value::Array(items)) => items,
            _ => return problem(0..0, "expected a list of items or a `references:` list"),
        },
        Value::Null => Vec::new(),
        _ => return problem(0..0, "expected a list of items or a `references:` list"),
    };
    let mut entries = Vec::with_capacity(items.len());
    let mut diagnostics = Vec::new();
    let mut searched_to = 0;
    for (i, item) in items.iter().enumerate() {
        let known_span = item_spans.get(i).filter(|_| item_spans.len() == items.len()).cloned();
        let Some(mut entry) = item.as_object().and_then(entry_of) else {
            let span = known_span.unwrap_or(searched_to..searched_to);
            diagnostics.push(BibDiagnostic {
                span,
                severity: Severity::Error,
                code: "malformed-entry",
                message: "malformed item, skipped: it needs an `id`".to_string(),
            });
            continue;
        };
        let from = known_span.as_ref().map_or(searched_to, |s| s.start);
        entry.key_span = find_id(text, &entry.key, from).unwrap_or(from..from);
        entry.span = known_span.unwrap_or_else(|| entry.key_span.clone());
        searched_to = entry.key_span.end.max(entry.span.end);
        entries.push(entry);
    }
    diagnostics.extend(super::duplicates::diagnostics(&entries));
    Bibliography::new(entries, diagnostics)
}

fn entry_of(item: &Map<String, Value>) -> Option<Entry> {
    let field = |name: &str| item.get(name).and_then(scalar).filter(|s| !s.is_empty());
    Some(Entry {
        key: field("id")?,
        kind: bibtex_type(item.get("type").and_then(Value::as_str).unwrap_or("")),
        title: field("title"),
        authors: match item.get("author") {
            Some(Value::Array(names)) => names.iter().filter_map(display_name).collect(),
            Some(name) => display_name(name).into_iter().collect(),
            None => Vec::new(),
        },
        year: item.get("issued").and_then(year_of),
        venue: ["container-title", "event-title", "publisher"].into_iter().find_map(field),
        doi: field("DOI").or_else(|| field("doi")),
        url: field("URL").or_else(|| field("url")),
        abstract_text: field("abstract"),
        ..Entry::default()
    })
}

/// Strings and numbers as text (YAML reads `id: 2020` and `title: 1984` as numbers).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// "Given von Family, Jr." from CSL name parts, or a `literal` name as is.
fn display_name(name: &Value) -> Option<String> {
    let Value::Object(parts) = name else {
        return scalar(name);
    };
    if let Some(literal) = parts.get("literal").and_then(scalar) {
        return Some(literal);
    }
    let part = |key: &str| parts.get(key).and_then(scalar).filter(|s| !s.is_empty());
    let mut out = ["given", "dropping-particle", "non-dropping-particle", "family"]
        .into_iter()
        .filter_map(part)
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(suffix) = part("suffix") {
        out.push_str(", ");
        out.push_str(&suffix);
    }
    (!out.is_empty()).then_some(out)
}

/// The year of `issued`: `{date-parts: [[2020, 5]]}`, `{raw: "2020-05"}`, `{literal: ...}`,
/// a bare EDTF string or number, or pandoc's older `[{year: 2020}]`.
fn year_of(issued: &Value) -> Option<String> {
    let text = match issued {
        Value::Object(date) => date
            .get("date-parts")
            .and_then(|parts| parts.get(0)?.get(0))
            .or_else(|| ["year", "raw", "literal"].iter().find_map(|k| date.get(*k)))
            .and_then(scalar)?,
        Value::Array(dates) => return dates.first().and_then(year_of),
        _ => scalar(issued)?,
    };
    let year: String = text.chars().take_while(char::is_ascii_digit).collect();
    Some(if year.is_empty() { text } else { year })
}

/// CSL item types under the BibTeX names the rest of scholia uses.
fn bibtex_type(csl: &str) -> String {
    match csl {
        "article-journal" | "article-magazine" | "article-newspaper" | "article" => "article",
        "paper-conference" => "inproceedings",
        "chapter" => "incollection",
        "book" => "book",
        "thesis" => "phdthesis",
        "report" => "techreport",
        "manuscript" => "unpublished",
        "webpage" | "post" | "post-weblog" => "online",
        "dataset" => "dataset",
        "software" => "software",
        "patent" => "patent",
        "" => "misc",
        other => other,
    }
    .to_string()
}

/// The byte range of `id` written as an item's id (`"id": "x"`, `id: x`) at or after `from`.
fn find_id(text: &str, id: &str, from: usize) -> Option<Range<usize>> {
    let rest = text.get(from..)?;
    rest.match_indices(id).map(|(i, _)| from + i).find_map(|at| {
        let before = text[..at].trim_end_matches(['"', '\'']).trim_end().strip_suffix(':')?;
        let ends = text[at + id.len()..].chars().next();
        let whole = ends.is_none_or(|c| c.is_whitespace() || "\"',}]#".contains(c));
        (whole && before.trim_end().trim_end_matches(['"', '\'']).ends_with("id"))
            .then_some(at..at + id.len())
    })
}

/// Ranges of the elements of a top-level JSON array (the text is known to be valid JSON).
fn json_item_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut start) = (0usize, false, false, 0);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 {
                    start = i;
                }
            }
            b'}' | b']' => {
                if depth == 2 {
                    spans.push(start..i + 1);
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    spans
}

/// Byte offset of serde_json's 1-based line and byte column.
fn offset_at(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize =
        text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let line_len = text[line_start..].find('\n').unwrap_or(text.len() - line_start);
    line_start + column.saturating_sub(1).min(line_len)
}

fn malformed_file(text: &str, at: usize, err: &dyn std::fmt::Display) -> Bibliography {
    let at = (0..=at.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    problem(at..end, &format!("the file could not be read: {err}"))
}

fn problem(span: Range<usize>, message: &str) -> Bibliography {
    let diagnostic = BibDiagnostic {
        span,
        severity: Severity::Error,
        code: "malformed-file",
        message: message.to_string(),
    };
    Bibliography::new(Vec::new(), vec![diagnostic])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bib::{parse_csl_json, parse_csl_yaml};

    const JSON: &str = r#"[
  {"id": "smith2020", "type": "article-journal", "title": "Deep water",
   "author": [{"family": "Smith", "given": "Ann"}, {"literal": "The ACME Consortium"},
              {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}],
   "issued": {"date-parts": [[2020, 5, 1]]}, "container-title": "Nature",
   "DOI": "10.1/xyz", "URL": "https://example.org", "abstract": "We dive."},
  {"id": "conf", "type": "paper-conference", "title": "A talk with id: smith2020",
   "issued": {"raw": "2019-07"}, "publisher": "ACM"},
  {"id": 42, "type": "book"}
]"#;

    #[test]
    fn json_items_map_to_entries() {
        let bib = parse_csl_json(JSON);
        assert!(bib.diagnostics.is_empty(), "{:?}", bib.diagnostics);
        let smith = &bib.entries[0];
        assert_eq!(smith.kind, "article");
        assert_eq!(smith.title.as_deref(), Some("Deep water"));
        assert_eq!(smith.authors, ["Ann Smith", "The ACME Consortium", "Ludwig van Beethoven"]);
        assert_eq!(smith.year.as_deref(), Some("2020"));
        assert_eq!(smith.venue.as_deref(), Some("Nature"));
        assert_eq!(smith.doi.as_deref(), Some("10.1/xyz"));
        assert_eq!(smith.url.as_deref(), Some("https://example.org"));
        assert_eq!(smith.abstract_text.as_deref(), Some("We dive."));
        let conf = &bib.entries[1];
        assert_eq!(conf.kind, "inproceedings");
        assert_eq!((conf.year.as_deref(), conf.venue.as_deref()), (Some("2019"), Some("ACM")));
        assert_eq!((bib.entries[2].key.as_str(), bib.entries[2].kind.as_str()), ("42", "book"));
    }

    #[test]
    fn json_spans_point_at_ids_and_items() {
        let bib = parse_csl_json(JSON);
        for entry in &bib.entries {
            assert_eq!(&JSON[entry.key_span.clone()], entry.key);
            assert!(JSON[entry.span.clone()].starts_with("{\"id\""));
            assert!(JSON[entry.span.clone()].ends_with('}'));
        }
        // The id quoted inside the second item's title is not mistaken for the first's.
        assert!(bib.entries[0].key_span.start < bib.entries[1].span.start);
    }

    #[test]
    fn yaml_references_with_spans() {
        let text = "---\nreferences:\n- id: doe99\n  type: chapter\n  title: On YAML\n  author:\n    - family: Doe\n      given: Jane\n  issued: 1999\n  container-title: Collected Works\n- id: \"roe\"\n  issued:\n    date-parts: [[2001]]\n...\n";
        let bib = parse_csl_yaml(text);
        assert!(bib.diagnostics.is_empty(), "{:?}", bib.diagnostics);
        let doe = bib.lookup("doe99").unwrap().0;
        assert_eq!(doe.kind, "incollection");
        assert_eq!(doe.authors, ["Jane Doe"]);
        assert_eq!(doe.year.as_deref(), Some("1999"));
        assert_eq!(doe.venue.as_deref(), Some("Collected Works"));
        assert_eq!(&text[doe.key_span.clone()], "doe99");
        let roe = &bib.entries[1];
        assert_eq!(&text[roe.key_span.clone()], "roe");
        assert_eq!(roe.year.as_deref(), Some("2001"));
    }

    #[test]
    fn yaml_plain_list_and_item_without_id() {
        let bib = parse_csl_yaml("- id: a\n  title: A\n- title: no id\n- id: a\n");
        assert_eq!(bib.len(), 2);
        let codes: Vec<_> = bib.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["malformed-entry", "duplicate-key"]);
    }

    #[test]
    fn malformed_json_points_at_the_error() {
        let text = "[\n  {\"id\": \"a\",\n   \"title\": \"Ünïcode\" \"oops\"}\n]";
        let bib = parse_csl_json(text);
        assert!(bib.is_empty());
        assert_eq!(bib.diagnostics.len(), 1);
        let diagnostic = &bib.diagnostics[0];
        assert_eq!((diagnostic.code, diagnostic.severity), ("malformed-file", Severity::Error));
        assert_eq!(&text[diagnostic.span.clone()], "\"");
        assert_eq!(diagnostic.span.start, text.find("\"oops").unwrap());
    }

    #[test]
    fn malformed_yaml_points_at_the_error() {
        let text = "- id: a\n  title: \"Ünïcode\"\n  author: [unclosed\n- id: b\n";
        let bib = parse_csl_yaml(text);
        assert!(bib.is_empty());
        assert_eq!(bib.diagnostics[0].code, "malformed-file");
        // libyaml notices the unclosed flow list at the next item's `:`.
        assert_eq!(&text[bib.diagnostics[0].span.clone()], ":");
        assert_eq!(bib.diagnostics[0].span.start, text.rfind(": b").unwrap());
        assert!(bib.diagnostics[0].message.contains("line 4"), "{}", bib.diagnostics[0].message);
    }

    #[test]
    fn not_a_list_of_items() {
        let bib = parse_csl_json("{\"title\": \"x\"}");
        assert_eq!(bib.diagnostics[0].code, "malformed-file");
        assert!(parse_csl_yaml("").diagnostics.is_empty());
    }
}
