//! Reading one entry block on its own, so that its problems stay its own.

use std::ops::Range;

use biblatex::{
    ChunksExt, Date, Pair, ParseError, ParseErrorKind, RawBibliography, RawEntry, Spanned, Token,
};

use super::inherit::{is_link, keys_in};
use super::macros::Macros;
use super::scan::Block;
use super::{display, field_span, malformed, parse_failure, shifted};
use crate::bib::{BibDiagnostic, Severity};

/// One entry as read from its block, before inheritance.
pub(super) struct Parsed<'s> {
    /// Its readable shown fields (macros expanded) and its links, spans relative to
    /// `span.start`.
    pub raw: RawEntry<'s>,
    /// Other keys it answers to (`ids`).
    pub aliases: Vec<&'s str>,
    pub span: Range<usize>,
    /// Its fields resolved by the crate.
    pub resolved: biblatex::Entry,
}

impl<'s> Parsed<'s> {
    /// Reads the entry block `src`; reports and returns `None` if it cannot be read at all.
    pub fn read(
        block: &Block,
        src: &'s str,
        macros: &Macros<'s>,
        diagnostics: &mut Vec<BibDiagnostic>,
    ) -> Option<Self> {
        let offset = block.span.start;
        let raw = match RawBibliography::parse(src) {
            Ok(raw) => raw.entries.into_iter().next()?.v,
            Err(err) => match key_only(block, src, &err) {
                Some(raw) => raw,
                None => {
                    diagnostics.push(parse_failure(block, src, &err));
                    return None;
                }
            },
        };
        if raw.key.v.is_empty() {
            diagnostics.push(malformed(block.span.clone(), "the entry has no key"));
            return None;
        }
        let aliases = raw
            .fields
            .iter()
            .filter(|f| f.key.v.eq_ignore_ascii_case("ids"))
            .flat_map(keys_in)
            .collect();
        let mut undefined = Vec::new();
        let (links, own): (Vec<_>, Vec<_>) = raw
            .fields
            .into_iter()
            // Resolving fields nobody sees would only cost time.
            .filter(|f| display::is_shown(f.key.v) || is_link(f))
            .map(|f| {
                let value = macros.expand(&f.value.v, &mut undefined);
                // The crate's value span runs on over trailing blanks.
                let end = f.value.span.start + src[f.value.span.clone()].trim_end().len();
                Pair::new(f.key, Spanned::new(value, f.value.span.start..end))
            })
            .partition(is_link);
        for name in undefined {
            diagnostics.push(BibDiagnostic {
                span: shifted(&name.span, offset),
                severity: Severity::Warning,
                code: "undefined-macro",
                message: format!("undefined @string macro `{}`: shown as written", name.v),
            });
        }
        // Links wait until every entry is read; resolving them now could loop.
        let mut raw = RawEntry { key: raw.key, kind: raw.kind, fields: own };
        let resolved = match resolve(vec![raw.clone()]) {
            Ok(entry) => entry,
            Err(_) => {
                raw.fields = readable_fields(&raw, offset, diagnostics);
                resolve(vec![raw.clone()])
                    .map_err(|err| diagnostics.push(malformed(block.span.clone(), &err)))
                    .ok()?
            }
        };
        check_date(&raw, &resolved, offset, diagnostics);
        raw.fields.extend(links);
        Some(Self { raw, aliases, span: block.span.clone(), resolved })
    }

    pub fn key_span(&self) -> Range<usize> {
        shifted(&self.raw.key.span, self.span.start)
    }
}

/// `@misc{key}`: legal BibTeX, but the crate wants a comma after every key.
fn key_only<'s>(block: &Block, src: &'s str, err: &ParseError) -> Option<RawEntry<'s>> {
    let after_key = err.span.start;
    let open = block.open - block.span.start;
    if err.kind != ParseErrorKind::Expected(Token::Comma) || src.get(after_key..)?.trim() != "}" {
        return None;
    }
    let key = src.get(open + 1..after_key)?.trim();
    let key_start = after_key - src[open + 1..after_key].trim_start().len();
    let kind = block.kind.start - block.span.start..block.kind.end - block.span.start;
    Some(RawEntry {
        key: Spanned::new(key, key_start..key_start + key.len()),
        kind: Spanned::new(&src[kind.clone()], kind),
        fields: Vec::new(),
    })
}

/// The fields of `raw` the crate can read one by one; the others are reported.
fn readable_fields<'s>(
    raw: &RawEntry<'s>,
    offset: usize,
    diagnostics: &mut Vec<BibDiagnostic>,
) -> Vec<Pair<'s>> {
    let mut readable = Vec::with_capacity(raw.fields.len());
    for field in &raw.fields {
        let alone =
            RawEntry { key: raw.key.clone(), kind: raw.kind.clone(), fields: vec![field.clone()] };
        match resolve(vec![alone]) {
            Ok(_) => readable.push(field.clone()),
            Err(err) => diagnostics.push(BibDiagnostic {
                span: field_span(field, offset),
                severity: Severity::Warning,
                code: "malformed-field",
                message: format!(
                    "field `{}` could not be read ({err}); it is left out",
                    field.key.v
                ),
            }),
        }
    }
    readable
}

/// A `date` the crate cannot parse leaves the shown year to guesswork.
fn check_date(
    raw: &RawEntry,
    resolved: &biblatex::Entry,
    offset: usize,
    diagnostics: &mut Vec<BibDiagnostic>,
) {
    let Some(date) = raw.fields.iter().find(|f| f.key.v.eq_ignore_ascii_case("date")) else {
        return;
    };
    if resolved.get("date").is_some_and(|chunks| chunks.parse::<Date>().is_err()) {
        diagnostics.push(BibDiagnostic {
            span: field_span(date, offset),
            severity: Severity::Warning,
            code: "invalid-date",
            message:
                "`date` is not an ISO 8601 date (like 2021-03-04); the year shown may be wrong"
                    .to_string(),
        });
    }
}

/// The crate's resolution of `entries` (macros already expanded), returning the first.
pub(super) fn resolve(entries: Vec<RawEntry<'_>>) -> Result<biblatex::Entry, String> {
    let raw = RawBibliography {
        preamble: String::new(),
        entries: entries.into_iter().map(Spanned::zero).collect(),
        abbreviations: Vec::new(),
    };
    let bib = biblatex::Bibliography::from_raw(raw).map_err(|err| err.kind.to_string())?;
    bib.into_vec().into_iter().next().ok_or_else(|| "no entry found".to_string())
}
