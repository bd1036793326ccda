//! CSL-JSON and CSL-YAML. Both are read into a `serde_json::Value` and share one mapping to
//! [`Entry`]; spans are recovered from the text afterwards, since serde does not keep them.

use std::ops::Range;

use serde_json::{Map, Value};

use super::{BibDiagnostic, Bibliography, Entry, Severity};

pub(super) fn parse_json(text: &str) -> Bibliography {
    match serde_json::from_str::<Value>(text) {
        // serde_json counts columns in bytes.
        Err(err) => malformed_file(text, offset_at(text, err.line(), err.column(), false), &err),
        Ok(value) => {
            let spans = if value.is_array() {
                json_item_spans(text)
            } else {
                Vec::new()
            };
            from_value(text, value, &spans)
        }
    }
}

pub(super) fn parse_yaml(text: &str) -> Bibliography {
    match serde_yaml_ng::from_str::<Value>(text) {
        // libyaml counts columns in characters, from 0.
        Err(err) => {
            let at = err
                .location()
                .map_or(0, |l| offset_at(text, l.line(), l.column() + 1, true));
            malformed_file(text, at, &err)
        }
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
        let known_span = item_spans
            .get(i)
            .filter(|_| item_spans.len() == items.len())
            .cloned();
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
        venue: ["container-title", "event-title", "publisher"]
            .into_iter()
            .find_map(field),
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
    let mut out = [
        "given",
        "dropping-particle",
        "non-dropping-particle",
        "family",
    ]
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
    rest.match_indices(id)
        .map(|(i, _)| from + i)
        .find_map(|at| {
            let before = text[..at]
                .trim_end_matches(['"', '\''])
                .trim_end()
                .strip_suffix(':')?;
            let ends = text[at + id.len()..].chars().next();
            let whole = ends.is_none_or(|c| c.is_whitespace() || "\"',}]#".contains(c));
            (whole
                && before
                    .trim_end()
                    .trim_end_matches(['"', '\''])
                    .ends_with("id"))
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

/// Byte offset of a 1-based line and column; columns count bytes or characters.
fn offset_at(text: &str, line: usize, column: usize, in_chars: bool) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text[line_start..].split('\n').next().unwrap_or("");
    let column = column.saturating_sub(1);
    let within = if in_chars {
        line_text
            .char_indices()
            .nth(column)
            .map_or(line_text.len(), |(i, _)| i)
    } else {
        (0..=column.min(line_text.len()))
            .rev()
            .find(|&i| line_text.is_char_boundary(i))
            .unwrap_or(0)
    };
    line_start + within
}

fn malformed_file(text: &str, at: usize, err: &dyn std::fmt::Display) -> Bibliography {
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
