//! BibTeX/BibLaTeX through the `biblatex` crate, one entry at a time: the crate gives up on a
//! whole file at its first error, while a user wants every good entry of a file being edited.

mod display;
mod macros;
mod scan;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use biblatex::{ChunksExt, Date, Pair, RawBibliography, RawChunk, RawEntry, Spanned};

use super::{BibDiagnostic, Bibliography, Severity};
use macros::Macros;
use scan::Block;

/// Fields naming entries to inherit from; resolved after every entry is read.
const LINK_FIELDS: [&str; 2] = ["crossref", "xdata"];
/// Most parents followed for one entry: the crate resolves them recursively.
const MAX_ANCESTORS: usize = 16;

/// Parses `text`; `macro_sources` only contribute their `@string` definitions.
pub(super) fn parse(text: &str, macro_sources: &[&str]) -> Bibliography {
    let mut diagnostics = Vec::new();
    let foreign: Vec<Cow<str>> = macro_sources
        .iter()
        .flat_map(|source| {
            scan::blocks(source)
                .into_iter()
                .flatten()
                .filter(|block| kind_of(source, block) == "string")
                .map(|block| block_text(source, &block))
        })
        .collect();
    let own: Vec<(Block, Cow<str>)> = scan::blocks(text)
        .into_iter()
        .filter_map(|block| match block {
            Ok(block) => {
                let src = block_text(text, &block);
                Some((block, src))
            }
            Err(broken) => {
                diagnostics.push(malformed(broken.span, broken.message));
                None
            }
        })
        .collect();

    // All definitions first: biber accepts a macro used before its `@string`.
    let mut macros = Macros::default();
    for src in &foreign {
        if let Ok(raw) = RawBibliography::parse(src) {
            macros.define(raw.abbreviations);
        }
    }
    let mut entry_blocks = Vec::new();
    for (block, src) in &own {
        match kind_of(text, block).as_str() {
            "comment" | "preamble" => {}
            "string" => match RawBibliography::parse(src) {
                Ok(raw) => macros.define(raw.abbreviations),
                Err(err) => diagnostics.push(malformed(block.span.clone(), &err.kind.to_string())),
            },
            _ => entry_blocks.push((block, src.as_ref())),
        }
    }

    let mut parsed: Vec<Parsed> = entry_blocks
        .into_iter()
        .filter_map(|(block, src)| Parsed::read(block, src, &macros, &mut diagnostics))
        .collect();
    let mut first_by_key: HashMap<&str, usize> = HashMap::with_capacity(parsed.len());
    for (i, entry) in parsed.iter().enumerate() {
        first_by_key.entry(entry.raw.key.v).or_insert(i);
    }
    let inherited: Vec<(usize, biblatex::Entry)> = (0..parsed.len())
        .filter_map(|i| inherit(i, &parsed, &first_by_key, &mut diagnostics).map(|e| (i, e)))
        .collect();
    for (i, entry) in inherited {
        parsed[i].resolved = entry;
    }

    let entries: Vec<_> = parsed
        .iter()
        // `@xdata` entries only hold fields for others; they cannot be cited.
        .filter(|p| !p.raw.kind.v.eq_ignore_ascii_case("xdata"))
        .map(|p| super::Entry {
            key_span: p.key_span(),
            span: p.span.clone(),
            ..display::to_entry(&p.resolved, p.raw.kind.v)
        })
        .collect();
    diagnostics.extend(super::duplicates::diagnostics(&entries));
    Bibliography::new(entries, diagnostics)
}

/// One entry read on its own, before inheritance.
struct Parsed<'s> {
    /// Its readable fields (macros expanded) and links; spans relative to `span.start`.
    raw: RawEntry<'s>,
    span: Range<usize>,
    /// Its fields resolved by the crate, without anything inherited.
    resolved: biblatex::Entry,
}

impl<'s> Parsed<'s> {
    /// Reads the entry block `src`; reports and returns `None` if it cannot be read at all.
    fn read(
        block: &Block,
        src: &'s str,
        macros: &Macros<'s>,
        diagnostics: &mut Vec<BibDiagnostic>,
    ) -> Option<Self> {
        let offset = block.span.start;
        let raw = match RawBibliography::parse(src) {
            Ok(raw) => raw.entries.into_iter().next()?.v,
            Err(err) => {
                let reason = match excerpt(&src[err.span.start.min(src.len())..]) {
                    "" => err.kind.to_string(),
                    near => format!("{} near `{near}`", err.kind),
                };
                diagnostics.push(malformed(block.span.clone(), &reason));
                return None;
            }
        };
        if raw.key.v.is_empty() {
            diagnostics.push(malformed(block.span.clone(), "the entry has no key"));
            return None;
        }
        let mut undefined = Vec::new();
        let fields: Vec<Pair<'s>> = raw
            .fields
            .into_iter()
            .filter(|f| display::is_shown(f.key.v) || is_link(f))
            .map(|f| {
                let value = macros.expand(&f.value.v, &mut undefined);
                // The crate's value span runs on over trailing blanks.
                let end = f.value.span.start + src[f.value.span.clone()].trim_end().len();
                Pair::new(f.key, Spanned::new(value, f.value.span.start..end))
            })
            .collect();
        for name in undefined {
            diagnostics.push(BibDiagnostic {
                span: shifted(&name.span, offset),
                severity: Severity::Warning,
                code: "undefined-macro",
                message: format!("undefined @string macro `{}`: shown as written", name.v),
            });
        }
        let (links, own): (Vec<_>, Vec<_>) = fields.into_iter().partition(is_link);
        let mut raw = RawEntry {
            key: raw.key,
            kind: raw.kind,
            fields: own,
        };
        let resolved = match resolve(vec![raw.clone()]) {
            Ok(entry) => entry,
            Err(_) => {
                raw.fields = readable_fields(raw.fields, &raw.key, &raw.kind, offset, diagnostics);
                resolve(vec![raw.clone()])
                    .map_err(|err| diagnostics.push(malformed(block.span.clone(), &err)))
                    .ok()?
            }
        };
        if let Some(date) = raw
            .fields
            .iter()
            .find(|f| f.key.v.eq_ignore_ascii_case("date"))
        {
            if resolved
                .get("date")
                .is_some_and(|chunks| chunks.parse::<Date>().is_err())
            {
                diagnostics.push(BibDiagnostic {
                    span: shifted(&(date.key.span.start..date.value.span.end), offset),
                    severity: Severity::Warning,
                    code: "invalid-date",
                    message: "`date` is not a valid ISO 8601 date (like 2021-03-04); the year shown may be wrong".to_string(),
                });
            }
        }
        raw.fields.extend(links);
        Some(Self {
            raw,
            span: block.span.clone(),
            resolved,
        })
    }

    fn key_span(&self) -> Range<usize> {
        shifted(&self.raw.key.span, self.span.start)
    }

    fn links(&self) -> impl Iterator<Item = &Pair<'s>> {
        self.raw.fields.iter().filter(|f| is_link(f))
    }
}

/// The fields the crate can read one by one; the others are reported and left out.
fn readable_fields<'s>(
    fields: Vec<Pair<'s>>,
    key: &Spanned<&'s str>,
    kind: &Spanned<&'s str>,
    offset: usize,
    diagnostics: &mut Vec<BibDiagnostic>,
) -> Vec<Pair<'s>> {
    fields
        .into_iter()
        .filter(|field| {
            let alone = RawEntry {
                key: key.clone(),
                kind: kind.clone(),
                fields: vec![field.clone()],
            };
            let Err(err) = resolve(vec![alone]) else {
                return true;
            };
            diagnostics.push(BibDiagnostic {
                span: shifted(&(field.key.span.start..field.value.span.end), offset),
                severity: Severity::Warning,
                code: "malformed-field",
                message: format!(
                    "field `{}` could not be read ({err}); it is left out",
                    field.key.v
                ),
            });
            false
        })
        .collect()
}

/// The crate's resolution of `entries` (macros already expanded), returning the first.
fn resolve(entries: Vec<RawEntry<'_>>) -> Result<biblatex::Entry, String> {
    let raw = RawBibliography {
        preamble: String::new(),
        entries: entries.into_iter().map(Spanned::detached).collect(),
        abbreviations: Vec::new(),
    };
    let bib = biblatex::Bibliography::from_raw(raw).map_err(|err| err.kind.to_string())?;
    bib.into_vec()
        .into_iter()
        .next()
        .ok_or_else(|| "no entry found".to_string())
}

/// Entry `i` with the fields it inherits through `crossref`/`xdata`, if its links lead
/// anywhere; problems with the links are reported on its first link.
fn inherit(
    i: usize,
    parsed: &[Parsed],
    first_by_key: &HashMap<&str, usize>,
    diagnostics: &mut Vec<BibDiagnostic>,
) -> Option<biblatex::Entry> {
    let entry = &parsed[i];
    let first_link = entry.links().next()?;
    let mut report = |link: &Pair, severity, code, message: String| {
        diagnostics.push(BibDiagnostic {
            span: shifted(
                &(link.key.span.start..link.value.span.end),
                entry.span.start,
            ),
            severity,
            code,
            message: format!("{} of `{}`: {message}", link.key.v, entry.raw.key.v),
        })
    };
    for link in entry.links() {
        for key in link_keys(link).filter(|key| !first_by_key.contains_key(key)) {
            let message = format!("`{key}` is not in this file, so nothing is inherited from it");
            report(link, Severity::Information, "missing-crossref", message);
        }
    }
    let mut found = Vec::new();
    if let Err(problem) = ancestors(i, parsed, first_by_key, &mut vec![i], &mut found) {
        let message = format!("{problem}; nothing is inherited");
        report(
            first_link,
            Severity::Warning,
            "crossref-unresolved",
            message,
        );
        return None;
    }
    if found.is_empty() {
        return None;
    }
    let family = std::iter::once(i)
        .chain(found)
        .map(|j| parsed[j].raw.clone())
        .collect();
    resolve(family)
        .map_err(|err| {
            let message = format!("inherited fields could not be read ({err})");
            report(
                first_link,
                Severity::Warning,
                "crossref-unresolved",
                message,
            );
        })
        .ok()
}

/// Collects into `found` every entry reachable from `i` through links, refusing cycles (the
/// crate would recurse forever) and more than [`MAX_ANCESTORS`] entries.
fn ancestors(
    i: usize,
    parsed: &[Parsed],
    first_by_key: &HashMap<&str, usize>,
    path: &mut Vec<usize>,
    found: &mut Vec<usize>,
) -> Result<(), String> {
    for link in parsed[i].links() {
        for key in link_keys(link) {
            let Some(&j) = first_by_key.get(key) else {
                continue;
            };
            if path.contains(&j) {
                return Err(format!("`{key}` leads back to this entry"));
            }
            if found.contains(&j) {
                continue;
            }
            if found.len() == MAX_ANCESTORS {
                return Err(format!("more than {MAX_ANCESTORS} entries to inherit from"));
            }
            found.push(j);
            path.push(j);
            ancestors(j, parsed, first_by_key, path, found)?;
            path.pop();
        }
    }
    Ok(())
}

/// Keys a `crossref`/`xdata` value names (`xdata` takes a comma-separated list).
fn link_keys<'a>(link: &'a Pair<'_>) -> impl Iterator<Item = &'a str> {
    link.value.v.iter().flat_map(|chunk| {
        let (RawChunk::Normal(s) | RawChunk::Abbreviation(s)) = chunk.v;
        s.split(',').map(str::trim).filter(|k| !k.is_empty())
    })
}

fn is_link(field: &Pair) -> bool {
    LINK_FIELDS
        .iter()
        .any(|name| field.key.v.eq_ignore_ascii_case(name))
}

fn malformed(span: Range<usize>, reason: &str) -> BibDiagnostic {
    BibDiagnostic {
        span,
        severity: Severity::Error,
        code: "malformed-entry",
        message: format!("malformed entry, skipped: {reason}"),
    }
}

/// The start of the offending line, to say where in an entry the problem is.
fn excerpt(rest: &str) -> &str {
    let line = rest.split('\n').next().unwrap_or("").trim_end();
    line.char_indices()
        .nth(24)
        .map_or(line, |(end, _)| &line[..end])
}

fn kind_of(text: &str, block: &Block) -> String {
    text[block.kind.clone()].to_ascii_lowercase()
}

/// The block's text; parentheses become braces (same length, so offsets hold) because the
/// crate only reads `@type{...}`.
fn block_text<'t>(text: &'t str, block: &Block) -> Cow<'t, str> {
    let src = &text[block.span.clone()];
    if text.as_bytes()[block.open] != b'(' {
        return Cow::Borrowed(src);
    }
    let open = block.open - block.span.start;
    let mut owned = src.to_string();
    owned.replace_range(open..open + 1, "{");
    owned.replace_range(owned.len() - 1.., "}");
    Cow::Owned(owned)
}

fn shifted(span: &Range<usize>, offset: usize) -> Range<usize> {
    span.start + offset..span.end + offset
}

#[cfg(test)]
mod tests;
